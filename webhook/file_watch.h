// Change detection for the files the webhook serves from, by polling: a fingerprint of
// every file's identity (path, inode, size, mtime in ns), following symlinks, recursing
// into directories.  Kubernetes updates a mounted ConfigMap or Secret by swapping a
// `..data` symlink; the fingerprint changes with it.
//
//   std::string before = FileFingerprint({"rules/", "inventory.yaml"});
//   ... every second: if (FileFingerprint(paths) != before) reload();
//
// "builtin:NAME" paths and empty strings are ignored.  Missing files are part of the
// fingerprint (as "missing"), so a file that appears or disappears counts as a change.
// Thread-safety: pure function.  Cost: one stat per file, at most `max_entries` files.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace aimsgate::webhook {

std::string FileFingerprint(const std::vector<std::string>& paths, size_t max_entries = 10000);

}  // namespace aimsgate::webhook
