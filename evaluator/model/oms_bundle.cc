#include "evaluator/model/oms_bundle.h"

#include <openssl/evp.h>

#include <cstdlib>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "evaluator/kernel/json.h"
#include "evaluator/kernel/json_member.h"
#include "evaluator/model/metadata_util.h"

namespace aimsgate::model {
namespace {

using kernel::Member;

std::string StringMember(const aimsgate::JsonValue& object, const char* name) {
  const aimsgate::JsonValue* v = Member(object, name);
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : "";
}

class BundleReader {
 public:
  BundleReader(const std::string& path, int line, std::vector<Diagnostic>* errors)
      : path_(path), line_(line), errors_(errors) {}

  bool Read(const aimsgate::JsonValue& root, SigstoreBundle* b) {
    b->line = line_;
    if (!root.IsObject()) return Fail("the signature is not a Sigstore bundle (not a JSON object)");
    b->media_type = StringMember(root, "mediaType");
    const aimsgate::JsonValue* envelope = Member(root, "dsseEnvelope");
    if (envelope == nullptr || !envelope->IsObject()) {
      return Fail(Member(root, "messageSignature") != nullptr
                      ? "the bundle holds a messageSignature, not the DSSE envelope a model signature needs"
                      : "the bundle has no dsseEnvelope");
    }
    b->payload_type = StringMember(*envelope, "payloadType");
    if (!Bytes(*envelope, "payload", "dsseEnvelope.payload", &b->payload)) return false;
    const aimsgate::JsonValue* sigs = Member(*envelope, "signatures");
    if (sigs == nullptr || !sigs->IsArray() || sigs->Empty()) return Fail("dsseEnvelope.signatures is missing or empty");
    for (const auto& s : sigs->GetArray()) {
      std::string sig;
      if (!Bytes(s, "sig", "dsseEnvelope.signatures[].sig", &sig)) return false;
      b->signatures.push_back(std::move(sig));
    }
    const aimsgate::JsonValue* material = Member(root, "verificationMaterial");
    if (material == nullptr || !material->IsObject()) return Fail("the bundle has no verificationMaterial");
    if (const aimsgate::JsonValue* key = Member(*material, "publicKey")) b->public_key_hint = StringMember(*key, "hint");
    if (const aimsgate::JsonValue* cert = Member(*material, "certificate")) {
      std::string der;
      if (!Bytes(*cert, "rawBytes", "verificationMaterial.certificate.rawBytes", &der)) return false;
      b->certificates.push_back(std::move(der));
    }
    if (const aimsgate::JsonValue* chain = Member(*material, "x509CertificateChain")) {
      const aimsgate::JsonValue* certs = Member(*chain, "certificates");
      if (certs == nullptr || !certs->IsArray()) return Fail("x509CertificateChain.certificates is not a list");
      for (const auto& c : certs->GetArray()) {
        std::string der;
        if (!Bytes(c, "rawBytes", "x509CertificateChain.certificates[].rawBytes", &der)) return false;
        b->certificates.push_back(std::move(der));
      }
    }
    if (const aimsgate::JsonValue* entries = Member(*material, "tlogEntries"); entries != nullptr && entries->IsArray()) {
      for (const auto& e : entries->GetArray()) {
        // integratedTime is an int64 in protobuf JSON: a decimal string.
        std::string t = StringMember(e, "integratedTime");
        if (!t.empty()) {
          b->integrated_time = std::strtoll(t.c_str(), nullptr, 10);
          break;
        }
      }
    }
    return true;
  }

 private:
  bool Fail(std::string message) {
    AddError(errors_, path_, line_, 0, std::move(message));
    return false;
  }

  bool Bytes(const aimsgate::JsonValue& object, const char* name, const char* what, std::string* out) {
    const aimsgate::JsonValue* v = Member(object, name);
    if (v == nullptr || !v->IsString()) return Fail(std::string(what) + " is missing or not a string");
    if (!DecodeBase64(std::string_view(v->GetString(), v->GetStringLength()), out)) {
      return Fail(std::string(what) + " is not valid base64");
    }
    return true;
  }

  const std::string& path_;
  int line_;
  std::vector<Diagnostic>* errors_;
};

bool ParseOne(std::string_view text, const std::string& path, int first_line, SigstoreBundle* out,
              std::vector<Diagnostic>* errors) {
  aimsgate::JsonDocument doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    int line = 0, column = 0;
    LineColumn(text, doc.GetErrorOffset(), &line, &column);
    AddError(errors, path, first_line + line - 1, column,
             std::string("the signature is not valid JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()));
    return false;
  }
  return BundleReader(path, first_line, errors).Read(doc, out);
}

}  // namespace

bool DecodeBase64(std::string_view text, std::string* out) {
  std::string s;
  s.reserve(text.size() + 3);
  for (char c : text) {
    if (c == '\n' || c == '\r') continue;
    s.push_back(c == '-' ? '+' : c == '_' ? '/' : c);
  }
  while (s.size() % 4 != 0) s.push_back('=');
  size_t padding = 0;
  for (size_t i = s.size(); i > 0 && s[i - 1] == '=' && padding < 2; --i) ++padding;
  out->assign(s.size() / 4 * 3, '\0');
  if (s.empty()) return true;
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                          reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0 || static_cast<size_t>(n) < padding) return false;
  // EVP_DecodeBlock counts the zero bytes decoded from the padding.
  out->resize(static_cast<size_t>(n) - padding);
  return true;
}

std::string DssePreAuthEncoding(std::string_view payload_type, std::string_view payload) {
  std::string pae = "DSSEv1 " + std::to_string(payload_type.size()) + " ";
  pae.append(payload_type);
  pae += " " + std::to_string(payload.size()) + " ";
  pae.append(payload);
  return pae;
}

bool ParseSigstoreBundles(std::string_view text, const std::string& path, std::vector<SigstoreBundle>* out,
                          std::vector<Diagnostic>* errors) {
  out->clear();
  // One JSON document (pretty-printed or not), or several: one per line.
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    AddError(errors, path, 0, 0, "the signature file is empty");
    return false;
  }
  {
    aimsgate::JsonDocument probe;
    probe.Parse(text.data(), text.size());
    if (!probe.HasParseError() || probe.GetParseError() != rapidjson::kParseErrorDocumentRootNotSingular) {
      SigstoreBundle b;
      if (!ParseOne(text, path, 1, &b, errors)) return false;
      out->push_back(std::move(b));
      return true;
    }
  }
  int line = 1;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view row = text.substr(pos, end - pos);
    if (row.find_first_not_of(" \t\r") != std::string_view::npos) {
      SigstoreBundle b;
      if (!ParseOne(row, path, line, &b, errors)) return false;
      out->push_back(std::move(b));
    }
    ++line;
    pos = end + 1;
  }
  return true;
}

}  // namespace aimsgate::model
