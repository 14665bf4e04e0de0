#include "cli/schemas.h"

namespace aimsgate::cli {
namespace {

// Shared pieces, spliced into each schema's "$defs".
constexpr const char* kDefs = R"J(
    "stringList": {"type": "array", "items": {"type": "string"}},
    "stringOrList": {"oneOf": [{"type": "string"}, {"$ref": "#/$defs/stringList"}]},
    "cel": {"type": "string", "minLength": 1, "description": "A CEL expression"},
    "enforcement": {"type": "string", "pattern": "^([^=]+=)?(enforce|warn|audit)$", "description": "enforce, warn or audit, or PACK=MODE (as --enforcement)"},
    "metadata": {
      "type": "object",
      "required": ["name"],
      "properties": {
        "name": {"type": "string", "minLength": 1},
        "version": {"type": "string"},
        "description": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}}
      },
      "additionalProperties": false
    },
    "rfc3339": {"type": "string", "description": "an RFC 3339 date-time, or a date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$"})J";

std::string Schema(const std::string& kind, const std::string& title, const std::string& body, const std::string& defs = "") {
  return "{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n  \"$id\": \"https://aimsgate.io/schemas/" +
         kind + ".json\",\n  \"title\": \"" + title + "\",\n" + body + ",\n  \"$defs\": {" + kDefs +
         (defs.empty() ? "" : ",\n" + defs) + "\n  }\n}\n";
}

constexpr const char* kRulePack = R"J(  "type": "object",
  "required": ["apiVersion", "kind", "metadata", "spec"],
  "properties": {
    "apiVersion": {"const": "aimsgate.io/v1alpha1"},
    "kind": {"const": "RulePack"},
    "metadata": {"$ref": "#/$defs/metadata"},
    "spec": {
      "type": "object",
      "required": ["rules"],
      "properties": {
        "failurePolicy": {"enum": ["Fail", "Ignore"]},
        "parameters": {"type": "object", "description": "params.x in expressions; --param KEY=VALUE overrides (maps merge, lists replace, types must match)"},
        "functions": {
          "type": "array",
          "items": {
            "type": "object",
            "required": ["name", "expression"],
            "properties": {
              "name": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
              "params": {"$ref": "#/$defs/stringOrList"},
              "expression": {"$ref": "#/$defs/cel"},
              "description": {"type": "string"}
            },
            "additionalProperties": false
          }
        },
        "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}}
      },
      "additionalProperties": false
    }
  },
  "additionalProperties": false)J";

constexpr const char* kRuleDefs = R"J(    "rule": {
      "type": "object",
      "required": ["id", "assert"],
      "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9_.-]+$"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "controls": {
          "description": "ISO/IEC 42001 references, or references per framework",
          "oneOf": [
            {"$ref": "#/$defs/stringOrList"},
            {"type": "object", "propertyNames": {"pattern": "^[a-z0-9-]+$"}, "additionalProperties": {"$ref": "#/$defs/stringOrList"}}
          ]
        },
        "severity": {"enum": ["info", "low", "medium", "high", "critical"]},
        "action": {"enum": ["deny", "warn", "audit"]},
        "appliesFrom": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "match": {
          "type": "object",
          "properties": {
            "kinds": {"$ref": "#/$defs/stringOrList"},
            "namespaces": {
              "oneOf": [
                {"$ref": "#/$defs/stringList"},
                {"type": "object", "properties": {"include": {"$ref": "#/$defs/stringOrList"}, "exclude": {"$ref": "#/$defs/stringOrList"}}, "additionalProperties": false}
              ]
            },
            "labelSelector": {
              "type": "object",
              "properties": {
                "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
                "matchExpressions": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "required": ["key", "operator"],
                    "properties": {
                      "key": {"type": "string"},
                      "operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
                      "values": {"$ref": "#/$defs/stringOrList"}
                    },
                    "additionalProperties": false
                  }
                }
              },
              "additionalProperties": false
            },
            "when": {"$ref": "#/$defs/cel"}
          },
          "additionalProperties": false
        },
        "variables": {
          "type": "array",
          "items": {
            "type": "object",
            "required": ["name", "expression"],
            "properties": {"name": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}, "expression": {"$ref": "#/$defs/cel"}},
            "additionalProperties": false
          }
        },
        "parameters": {"type": "object", "description": "rule-scoped parameters, read as params.x by this rule over the pack's"},
        "assert": {"$ref": "#/$defs/cel"},
        "message": {"type": "string"},
        "messageExpression": {"$ref": "#/$defs/cel"},
        "remediation": {"type": "string"}
      },
      "not": {"required": ["message", "messageExpression"]},
      "additionalProperties": false
    })J";

constexpr const char* kRulePackTest = R"J(  "type": "object",
  "required": ["apiVersion", "kind", "spec"],
  "properties": {
    "apiVersion": {"const": "aimsgate.io/v1alpha1"},
    "kind": {"const": "RulePackTest"},
    "metadata": {"$ref": "#/$defs/metadata"},
    "spec": {
      "type": "object",
      "required": ["results"],
      "properties": {
        "packs": {"$ref": "#/$defs/stringOrList"},
        "resources": {"$ref": "#/$defs/stringOrList"},
        "inventory": {"type": "string"},
        "waivers": {"$ref": "#/$defs/stringOrList"},
        "params": {"type": "object"},
        "modelCard": {"type": "string"},
        "bom": {"type": "string"},
        "modelDir": {"type": "string"},
        "modelSignature": {"type": "string"},
        "modelPubkey": {"type": "string"},
        "modelCa": {"type": "string"},
        "modelCertChain": {"type": "string"},
        "models": {"type": "string"},
        "now": {"$ref": "#/$defs/rfc3339"},
        "enforcement": {
          "oneOf": [
            {"$ref": "#/$defs/enforcement"},
            {"type": "array", "items": {"$ref": "#/$defs/enforcement"}}
          ]
        },
        "results": {
          "type": "array",
          "minItems": 1,
          "items": {
            "type": "object",
            "required": ["kind", "name"],
            "properties": {
              "rule": {"type": "string", "pattern": "^[^/]+/.+$"},
              "kind": {"type": "string", "minLength": 1},
              "namespace": {"type": "string"},
              "name": {"type": "string", "minLength": 1},
              "result": {"enum": ["pass", "fail", "skip", "waived", "error"]},
              "decision": {"enum": ["allow", "audit", "warn", "deny"]}
            },
            "oneOf": [
              {"required": ["rule", "result"], "not": {"required": ["decision"]}},
              {"required": ["decision"], "not": {"anyOf": [{"required": ["rule"]}, {"required": ["result"]}]}}
            ],
            "additionalProperties": false
          }
        }
      },
      "additionalProperties": false
    }
  },
  "additionalProperties": false)J";

constexpr const char* kInventory = R"J(  "type": "object",
  "required": ["apiVersion", "kind", "systems"],
  "properties": {
    "apiVersion": {"const": "aimsgate.io/v1alpha1"},
    "kind": {"const": "Inventory"},
    "metadata": {"$ref": "#/$defs/metadata"},
    "systems": {
      "type": "array",
      "items": {
        "type": "object",
        "required": ["id"],
        "properties": {
          "id": {"type": "string", "minLength": 1},
          "owner": {"type": "string"},
          "riskTier": {"type": "string"},
          "intendedPurpose": {"type": "string"},
          "model": {"type": "string", "minLength": 1},
          "impactAssessments": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {"expires": {"$ref": "#/$defs/rfc3339"}}
            }
          },
          "suppliers": {"type": "array"}
        }
      }
    }
  },
  "additionalProperties": false)J";

constexpr const char* kWaiver = R"J(  "type": "object",
  "required": ["apiVersion", "kind", "metadata", "spec"],
  "properties": {
    "apiVersion": {"const": "aimsgate.io/v1alpha1"},
    "kind": {"const": "Waiver"},
    "metadata": {"$ref": "#/$defs/metadata"},
    "spec": {
      "type": "object",
      "required": ["rules", "justification", "approvedBy", "expires"],
      "properties": {
        "rules": {"$ref": "#/$defs/stringOrList"},
        "match": {
          "type": "object",
          "properties": {
            "namespaces": {"$ref": "#/$defs/stringOrList"},
            "names": {"$ref": "#/$defs/stringOrList"},
            "kinds": {"$ref": "#/$defs/stringOrList"}
          },
          "additionalProperties": false
        },
        "justification": {"type": "string", "minLength": 1},
        "approvedBy": {"type": "string", "minLength": 1},
        "expires": {"$ref": "#/$defs/rfc3339"}
      },
      "additionalProperties": false
    }
  },
  "additionalProperties": false)J";

constexpr const char* kApplicability = R"J(  "type": "object",
  "required": ["apiVersion", "kind", "metadata", "spec"],
  "properties": {
    "apiVersion": {"const": "aimsgate.io/v1alpha1"},
    "kind": {"const": "Applicability"},
    "metadata": {"$ref": "#/$defs/metadata"},
    "spec": {
      "type": "object",
      "required": ["framework"],
      "properties": {
        "framework": {"type": "string", "minLength": 1},
        "scope": {"type": "string"},
        "controls": {
          "type": "array",
          "items": {
            "type": "object",
            "required": ["id"],
            "properties": {
              "id": {"type": "string", "minLength": 1},
              "applicable": {"type": "boolean"},
              "justification": {"type": "string"},
              "implementation": {"type": "string"}
            },
            "if": {"properties": {"applicable": {"const": false}}, "required": ["applicable"]},
            "then": {"required": ["justification"]},
            "additionalProperties": false
          }
        }
      },
      "additionalProperties": false
    }
  },
  "additionalProperties": false)J";

}  // namespace

const std::vector<std::string>& SchemaKinds() {
  static const std::vector<std::string> kKinds = {"rulepack", "rulepacktest", "inventory", "waiver", "applicability"};
  return kKinds;
}

std::string SchemaFor(const std::string& kind) {
  if (kind == "rulepack") return Schema(kind, "aimsgate RulePack", kRulePack, kRuleDefs);
  if (kind == "rulepacktest") return Schema(kind, "aimsgate RulePackTest (aimsgate-test.yaml)", kRulePackTest);
  if (kind == "inventory") return Schema(kind, "aimsgate Inventory (the AI-system register)", kInventory);
  if (kind == "waiver") return Schema(kind, "aimsgate Waiver", kWaiver);
  if (kind == "applicability") return Schema(kind, "aimsgate Applicability (Statement of Applicability)", kApplicability);
  return "";
}

}  // namespace aimsgate::cli
