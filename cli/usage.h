// Usage errors people can act on: every option takes one value per use, and an
// unknown flag or value gets a "did you mean" and the list of valid ones.
//
//   OneValuePerUse(&app);   // after every subcommand is added: `--pubkey k.pub a.jsonl`
//                           // gives --pubkey one value and leaves a.jsonl positional
//   std::string m = UnknownValue("format", "jsn", ReportFormats());
//   // "unknown format 'jsn' (did you mean 'json'?); valid: text, json, sarif, ..."
//   std::string hint = DidYouMean("--formt", {"--format", "--fail-on"});  // " (did you mean '--format'?)"
//
// Thread-safety: pure functions, except OneValuePerUse, which edits the app.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace aimsgate::cli {

// Sets allow_extra_args(false) on every non-positional option of `app` and of
// its subcommands, recursively: a repeatable option takes exactly one value per
// use, so the words after it stay positional arguments. (CLI11 lets a vector
// option swallow every following word by default.)
void OneValuePerUse(CLI::App* app);

// " (did you mean 'X'?)" for the candidate closest to `got` when it is close
// (edit distance at most a third of its length, at least 1, or a prefix); "" otherwise.
std::string DidYouMean(const std::string& got, const std::vector<std::string>& candidates);

// "unknown WHAT 'GOT'" + DidYouMean + "; valid: a, b, c".
std::string UnknownValue(const std::string& what, const std::string& got, const std::vector<std::string>& valid);

// For CLI11's "arguments were not expected" error: a hint per unknown flag in
// `extras`, from the options of the deepest parsed subcommand of `root`.
std::string SuggestFlags(const CLI::App& root, const std::vector<std::string>& extras);

}  // namespace aimsgate::cli
