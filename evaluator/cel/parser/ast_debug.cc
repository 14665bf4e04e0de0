#include "evaluator/cel/parser/ast_debug.h"

#include <charconv>
#include <cmath>

namespace aimsgate::cel {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendHexByte(unsigned char c, std::string* out) {
  out->append("\\x");
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0xF]);
}

void AppendQuoted(const std::string& s, bool bytes, std::string* out) {
  if (bytes) out->push_back('b');
  out->push_back('"');
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '\\': out->append("\\\\"); break;
      case '"': out->append("\\\""); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20 || c == 0x7F || (bytes && c >= 0x80)) {
          AppendHexByte(c, out);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

void AppendDouble(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  out->append(s);
}

class Printer {
 public:
  explicit Printer(bool positions) : positions_(positions) {}

  void Print(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kConstant:
        PrintConstant(e.constant);
        break;
      case Expr::Kind::kIdent:
        out_.append(e.ident.name);
        break;
      case Expr::Kind::kSelect:
        out_.append(e.select.test_only ? "(has" : "(.");
        Tag(e);
        out_.push_back(' ');
        Child(e.select.operand);
        out_.push_back(' ');
        out_.append(e.select.field);
        out_.push_back(')');
        return;
      case Expr::Kind::kCall:
        out_.push_back('(');
        if (e.call.target) {
          out_.push_back('.');
          out_.append(e.call.function);
          Tag(e);
          out_.push_back(' ');
          Child(e.call.target);
        } else {
          if (!e.call.function.empty() && e.call.function[0] == '.') out_.append("global ");
          out_.append(e.call.function);
          Tag(e);
        }
        for (const auto& a : e.call.args) {
          out_.push_back(' ');
          Child(a);
        }
        out_.push_back(')');
        return;
      case Expr::Kind::kList: {
        out_.push_back('[');
        for (size_t i = 0; i < e.list.elements.size(); ++i) {
          if (i > 0) out_.append(", ");
          for (int32_t oi : e.list.optional_indices) {
            if (static_cast<size_t>(oi) == i) {
              out_.push_back('?');
              break;
            }
          }
          Child(e.list.elements[i]);
        }
        out_.push_back(']');
        break;
      }
      case Expr::Kind::kMap:
        PrintEntries(e.map.entries);
        break;
      case Expr::Kind::kStruct:
        out_.append("(new ");
        out_.append(e.struct_expr.message_name);
        Tag(e);
        out_.push_back(' ');
        PrintEntries(e.struct_expr.fields);
        out_.push_back(')');
        return;
      case Expr::Kind::kComprehension: {
        const ComprehensionExpr& c = e.comprehension;
        out_.append("(fold");
        Tag(e);
        out_.push_back(' ');
        out_.append(c.iter_var);
        if (!c.iter_var2.empty()) {
          out_.push_back(',');
          out_.append(c.iter_var2);
        }
        out_.push_back(' ');
        Child(c.iter_range);
        out_.push_back(' ');
        out_.append(c.accu_var);
        for (const ExprPtr* p : {&c.accu_init, &c.loop_condition, &c.loop_step, &c.result}) {
          out_.push_back(' ');
          Child(*p);
        }
        out_.push_back(')');
        return;
      }
    }
    Tag(e);
  }

  std::string Take() { return std::move(out_); }

 private:
  void Child(const ExprPtr& p) {
    if (p) {
      Print(*p);
    } else {
      out_.append("<null>");
    }
  }

  void Tag(const Expr& e) {
    if (!positions_) return;
    out_.push_back('#');
    out_.append(std::to_string(e.id));
    out_.push_back('@');
    out_.append(std::to_string(e.offset));
  }

  void PrintEntries(const std::vector<MapEntry>& entries) {
    out_.push_back('{');
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) out_.append(", ");
      if (entries[i].optional) out_.push_back('?');
      Child(entries[i].key);
      out_.append(": ");
      Child(entries[i].value);
    }
    out_.push_back('}');
  }

  void PrintConstant(const Constant& c) {
    switch (c.kind) {
      case Constant::Kind::kNull: out_.append("null"); break;
      case Constant::Kind::kBool: out_.append(c.bool_value ? "true" : "false"); break;
      case Constant::Kind::kInt: out_.append(std::to_string(c.int_value)); break;
      case Constant::Kind::kUint: out_.append(std::to_string(c.uint_value) + "u"); break;
      case Constant::Kind::kDouble: AppendDouble(c.double_value, &out_); break;
      case Constant::Kind::kString: AppendQuoted(c.string_value, false, &out_); break;
      case Constant::Kind::kBytes: AppendQuoted(c.string_value, true, &out_); break;
    }
  }

  bool positions_;
  std::string out_;
};

}  // namespace

std::string DebugString(const Expr& e) {
  Printer p(false);
  p.Print(e);
  return p.Take();
}

std::string DebugStringWithPositions(const Expr& e) {
  Printer p(true);
  p.Print(e);
  return p.Take();
}

}  // namespace aimsgate::cel
