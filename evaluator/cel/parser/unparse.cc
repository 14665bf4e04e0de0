#include "evaluator/cel/parser/unparse.h"

#include <cmath>
#include <cstdio>
#include <map>

#include "evaluator/cel/parser/macros.h"

namespace aimsgate::cel {
namespace {

// Precedence levels, lowest first; an operand below its slot's level is
// parenthesised.
enum Level { kTernary = 0, kOr, kAnd, kRelation, kAdd, kMul, kUnary, kMember };

struct Binary {
  const char* text;
  Level level;
};

const std::map<std::string, Binary>& BinaryOps() {
  static const auto* ops = new std::map<std::string, Binary>{
      {"_||_", {"||", kOr}},      {"_&&_", {"&&", kAnd}},      {"_==_", {"==", kRelation}},
      {"_!=_", {"!=", kRelation}}, {"_<_", {"<", kRelation}},   {"_<=_", {"<=", kRelation}},
      {"_>_", {">", kRelation}},   {"_>=_", {">=", kRelation}}, {"@in", {"in", kRelation}},
      {"_+_", {"+", kAdd}},        {"_-_", {"-", kAdd}},        {"_*_", {"*", kMul}},
      {"_/_", {"/", kMul}},        {"_%_", {"%", kMul}},
  };
  return *ops;
}

bool IsCall(const Expr& e, const char* fn, size_t args) {
  return e.kind == Expr::Kind::kCall && !e.call.target && e.call.function == fn &&
         e.call.args.size() == args;
}
bool IsIdent(const Expr& e, const std::string& name) {
  return e.kind == Expr::Kind::kIdent && e.ident.name == name;
}
bool IsAccu(const Expr& e) { return IsIdent(e, parser::kAccumulatorName); }
bool IsBool(const Expr& e, bool v) {
  return e.kind == Expr::Kind::kConstant && e.constant.kind == cel::Constant::Kind::kBool &&
         e.constant.bool_value == v;
}
bool IsInt(const Expr& e, int64_t v) {
  return e.kind == Expr::Kind::kConstant && e.constant.kind == cel::Constant::Kind::kInt &&
         e.constant.int_value == v;
}
bool IsEmptyList(const Expr& e) { return e.kind == Expr::Kind::kList && e.list.elements.empty(); }
bool IsEmptyMap(const Expr& e) { return e.kind == Expr::Kind::kMap && e.map.entries.empty(); }
// accu + [x]
bool IsAppend(const Expr& e) {
  return IsCall(e, "_+_", 2) && IsAccu(*e.call.args[0]) && e.call.args[1]->kind == Expr::Kind::kList &&
         e.call.args[1]->list.elements.size() == 1 && e.call.args[1]->list.optional_indices.empty();
}
// cond ? step : accu
bool IsFiltered(const Expr& e) { return IsCall(e, "_?_:_", 3) && IsAccu(*e.call.args[2]); }

std::string Quote(const std::string& s, bool bytes) {
  std::string out = bytes ? "b\"" : "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// A field name as written after '.': backquoted unless a plain identifier
// that is not a reserved word.
std::string Field(const std::string& name) {
  static const char* const kReserved[] = {"as",       "break", "const",  "continue", "else", "false",
                                          "for",      "function", "if", "import",   "in",   "let",
                                          "loop",     "package", "namespace", "null", "return", "true",
                                          "var",      "void",  "while"};
  bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name) {
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) plain = false;
  }
  for (const char* r : kReserved) {
    if (name == r) plain = false;
  }
  return plain ? name : "`" + name + "`";
}

class Unparser {
 public:
  bool ok() const { return ok_; }
  const std::string& why() const { return why_; }

  // The text of e and, in *level, how tightly it binds.
  std::string Emit(const Expr& e, Level* level) {
    *level = kMember;
    if (!ok_) return "";
    switch (e.kind) {
      case Expr::Kind::kConstant: return Literal(e.constant, level);
      case Expr::Kind::kIdent: return e.ident.name;
      case Expr::Kind::kSelect:
        if (e.select.test_only) return "has(" + At(*e.select.operand, kMember) + "." + Field(e.select.field) + ")";
        return At(*e.select.operand, kMember) + "." + Field(e.select.field);
      case Expr::Kind::kCall: return Call(e, level);
      case Expr::Kind::kList: {
        std::string out = "[";
        for (size_t i = 0; i < e.list.elements.size(); ++i) {
          if (i > 0) out += ", ";
          for (int32_t o : e.list.optional_indices) {
            if (static_cast<size_t>(o) == i) out += "?";
          }
          out += At(*e.list.elements[i], kTernary);
        }
        return out + "]";
      }
      case Expr::Kind::kMap: return Entries("{", e.map.entries, false);
      case Expr::Kind::kStruct: return Entries(e.struct_expr.message_name + "{", e.struct_expr.fields, true);
      case Expr::Kind::kComprehension: return Comprehension(e);
    }
    return Fail("unknown node kind");
  }

  // e's text, parenthesised when it binds looser than `min`.
  std::string At(const Expr& e, Level min) {
    Level level;
    std::string text = Emit(e, &level);
    return level < min ? "(" + text + ")" : text;
  }

 private:
  std::string Fail(const std::string& why) {
    if (ok_) why_ = why;
    ok_ = false;
    return "";
  }

  std::string Literal(const cel::Constant& c, Level* level) {
    switch (c.kind) {
      case cel::Constant::Kind::kNull: return "null";
      case cel::Constant::Kind::kBool: return c.bool_value ? "true" : "false";
      case cel::Constant::Kind::kInt:
        if (c.int_value < 0) *level = kUnary;
        return std::to_string(c.int_value);
      case cel::Constant::Kind::kUint: return std::to_string(c.uint_value) + "u";
      case cel::Constant::Kind::kDouble: {
        if (!std::isfinite(c.double_value)) return Fail("a non-finite double has no CEL literal");
        if (std::signbit(c.double_value)) *level = kUnary;
        char buf[40];
        std::snprintf(buf, sizeof(buf), "%.17g", c.double_value);
        std::string s = buf;
        if (s.find_first_of(".en") == std::string::npos) s += ".0";
        return s;
      }
      case cel::Constant::Kind::kString: return Quote(c.string_value, false);
      case cel::Constant::Kind::kBytes: return Quote(c.string_value, true);
    }
    return Fail("unknown constant kind");
  }

  std::string List(const std::vector<ExprPtr>& args, size_t from) {
    std::string out;
    for (size_t i = from; i < args.size(); ++i) {
      if (i > from) out += ", ";
      out += At(*args[i], kTernary);
    }
    return out;
  }

  std::string Entries(const std::string& open, const std::vector<MapEntry>& entries, bool field_names) {
    std::string out = open;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) out += ", ";
      if (entries[i].optional) out += "?";
      out += field_names && entries[i].key->kind == Expr::Kind::kIdent ? entries[i].key->ident.name
                                                                        : At(*entries[i].key, kTernary);
      out += ": " + At(*entries[i].value, kTernary);
    }
    return out + "}";
  }

  std::string Call(const Expr& e, Level* level) {
    const CallExpr& c = e.call;
    if (c.target) return At(*c.target, kMember) + "." + c.function + "(" + List(c.args, 0) + ")";
    const auto& ops = BinaryOps();
    auto op = ops.find(c.function);
    if (op != ops.end() && c.args.size() == 2) {
      const Level l = op->second.level;
      *level = l;
      // && and || operands of the same operator keep their parentheses: the
      // parser balances unparenthesised chains.
      const bool chain = l == kOr || l == kAnd;
      const Level left = chain ? static_cast<Level>(l + 1) : l;
      return At(*c.args[0], left) + " " + op->second.text + " " + At(*c.args[1], static_cast<Level>(l + 1));
    }
    if (c.function == "_?_:_" && c.args.size() == 3) {
      *level = kTernary;
      return At(*c.args[0], kOr) + " ? " + At(*c.args[1], kOr) + " : " + At(*c.args[2], kTernary);
    }
    if ((c.function == "!_" || c.function == "-_") && c.args.size() == 1) {
      *level = kUnary;
      std::string operand = At(*c.args[0], kMember);
      // "-" before a numeric literal would fold into a negative constant.
      const Expr& a = *c.args[0];
      const bool numeric = a.kind == Expr::Kind::kConstant &&
                           (a.constant.kind == cel::Constant::Kind::kInt || a.constant.kind == cel::Constant::Kind::kDouble ||
                            a.constant.kind == cel::Constant::Kind::kUint);
      if ((numeric || operand[0] == '-') && operand[0] != '(') operand = "(" + operand + ")";
      return c.function.substr(0, 1) + operand;
    }
    if (c.function == "_[_]" && c.args.size() == 2) {
      return At(*c.args[0], kMember) + "[" + At(*c.args[1], kTernary) + "]";
    }
    if (c.function == "_[?_]" && c.args.size() == 2) {
      return At(*c.args[0], kMember) + "[?" + At(*c.args[1], kTernary) + "]";
    }
    if (c.function == "_?._" && c.args.size() == 2 && c.args[1]->kind == Expr::Kind::kConstant &&
        c.args[1]->constant.kind == cel::Constant::Kind::kString) {
      return At(*c.args[0], kMember) + ".?" + Field(c.args[1]->constant.string_value);
    }
    if (c.function.empty() || c.function[0] == '@' || c.function[0] == '_' ||
        c.function.find('@') != std::string::npos) {
      return Fail("internal function " + c.function + " outside the macro that uses it");
    }
    return c.function + "(" + List(c.args, 0) + ")";
  }

  std::string Vars(const ComprehensionExpr& c) {
    return c.iter_var2.empty() ? c.iter_var : c.iter_var + ", " + c.iter_var2;
  }

  std::string Macro(const ComprehensionExpr& c, const char* name, const std::string& rest) {
    return At(*c.iter_range, kMember) + "." + name + "(" + Vars(c) + ", " + rest + ")";
  }

  std::string Comprehension(const Expr& e) {
    const ComprehensionExpr& c = e.comprehension;
    // cel.bind(v, init, result)
    if (c.iter_var == parser::kUnusedIterVar && c.iter_var2.empty() && IsEmptyList(*c.iter_range) &&
        IsBool(*c.loop_condition, false) && IsIdent(*c.loop_step, c.accu_var)) {
      return "cel.bind(" + c.accu_var + ", " + At(*c.accu_init, kTernary) + ", " + At(*c.result, kTernary) + ")";
    }
    if (c.accu_var != parser::kAccumulatorName) return Fail("a comprehension no macro expands to");
    const bool two = !c.iter_var2.empty();
    const Expr& step = *c.loop_step;
    const bool result_accu = IsAccu(*c.result);
    // all / exists
    if (result_accu && IsBool(*c.accu_init, true) && IsCall(*c.loop_condition, "@not_strictly_false", 1) &&
        IsAccu(*c.loop_condition->call.args[0]) && IsCall(step, "_&&_", 2) && IsAccu(*step.call.args[0])) {
      return Macro(c, "all", At(*step.call.args[1], kTernary));
    }
    if (result_accu && IsBool(*c.accu_init, false) && IsCall(*c.loop_condition, "@not_strictly_false", 1) &&
        IsCall(*c.loop_condition->call.args[0], "!_", 1) && IsAccu(*c.loop_condition->call.args[0]->call.args[0]) &&
        IsCall(step, "_||_", 2) && IsAccu(*step.call.args[0])) {
      return Macro(c, "exists", At(*step.call.args[1], kTernary));
    }
    const bool cond_true = IsBool(*c.loop_condition, true);
    // exists_one: p ? accu + 1 : accu, result accu == 1
    if (cond_true && IsInt(*c.accu_init, 0) && IsCall(*c.result, "_==_", 2) && IsAccu(*c.result->call.args[0]) &&
        IsInt(*c.result->call.args[1], 1) && IsFiltered(step) && IsCall(*step.call.args[1], "_+_", 2) &&
        IsAccu(*step.call.args[1]->call.args[0]) && IsInt(*step.call.args[1]->call.args[1], 1)) {
      return Macro(c, "exists_one", At(*step.call.args[0], kTernary));
    }
    if (!cond_true || !result_accu) return Fail("a comprehension no macro expands to");
    // map / filter / transformList: accu + [x], maybe under `cond ? ... : accu`.
    if (IsEmptyList(*c.accu_init)) {
      const bool filtered = IsFiltered(step);
      const Expr& append = filtered ? *step.call.args[1] : step;
      if (!IsAppend(append)) return Fail("a comprehension no macro expands to");
      const Expr& value = *append.call.args[1]->list.elements[0];
      std::string filter = filtered ? At(*step.call.args[0], kTernary) + ", " : "";
      if (two) return Macro(c, "transformList", filter + At(value, kTernary));
      if (filtered && IsIdent(value, c.iter_var)) return Macro(c, "filter", At(*step.call.args[0], kTernary));
      return Macro(c, "map", filter + At(value, kTernary));
    }
    // transformMap / transformMapEntry: cel.@mapInsert(accu, ...).
    if (IsEmptyMap(*c.accu_init) && two) {
      const bool filtered = IsFiltered(step);
      const Expr& insert = filtered ? *step.call.args[1] : step;
      std::string filter = filtered ? At(*step.call.args[0], kTernary) + ", " : "";
      if (insert.kind == Expr::Kind::kCall && !insert.call.target && insert.call.function == "cel.@mapInsert" &&
          !insert.call.args.empty() && IsAccu(*insert.call.args[0])) {
        if (insert.call.args.size() == 3 && IsIdent(*insert.call.args[1], c.iter_var)) {
          return Macro(c, "transformMap", filter + At(*insert.call.args[2], kTernary));
        }
        if (insert.call.args.size() == 2) {
          return Macro(c, "transformMapEntry", filter + At(*insert.call.args[1], kTernary));
        }
      }
    }
    return Fail("a comprehension no macro expands to");
  }

  bool ok_ = true;
  std::string why_;
};

}  // namespace

bool Unparse(const Expr& e, std::string* out, std::string* why) {
  Unparser u;
  Level level;
  std::string text = u.Emit(e, &level);
  if (!u.ok()) {
    if (why) *why = u.why();
    return false;
  }
  *out = std::move(text);
  return true;
}

}  // namespace aimsgate::cel
