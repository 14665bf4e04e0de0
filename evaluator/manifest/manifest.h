// Loading Kubernetes manifests (YAML and JSON) into RapidJSON documents that the
// evaluator reads in place.
//
// CONTRACT (used by evaluator/pack, cli/, webhook/; the manifest module owns the
// implementation and may add to it, but must keep these members):
//
//   manifest::Limits limits;                         // every budget, documented defaults
//   manifest::LoadResult r = manifest::LoadYaml(bytes, "deploy/app.yaml", limits);
//   manifest::LoadResult r = manifest::LoadJson(bytes, "deploy/app.json", limits);
//   manifest::LoadResult r = manifest::LoadBytes(bytes, source, limits); // sniffs JSON vs YAML
//   for (const manifest::Resource& res : r.resources) {
//     const rapidjson::Value& obj = *res.object;   // a Kubernetes object (List expanded)
//     res.source; res.line; res.column;             // 1-based position of the object
//     res.document_index;                           // index of the YAML document in the file
//     res.item_index;                               // index in a List's items, -1 otherwise
//     res.FieldLine(&obj["spec"]) ...               // line of any value inside, 0 if unknown
//   }
//   for (const manifest::LoadError& e : r.errors) {  // "source:line:col: error: message"
//     e.source; e.line; e.column; e.message; e.ToString();
//   }
//
// Resources keep their document alive through shared ownership (Resource::owner).
// Scalars are typed as Kubernetes types them (sigs.k8s.io/yaml: YAML 1.1-ish
// resolution: null/~/empty, true/false (and yes/no/on/off as YAML 1.1), ints incl.
// 0x/0o, floats incl. .inf/.nan, everything else a string; quoted scalars and
// !!str are always strings).
#pragma once
