// evidence_fixture LOG RECORDS [KEY.pem] [CHECKPOINT_EVERY]: writes a sample evidence log
// through EvidenceWriter, for the shell-driven CLI tests (cli_test.sh).
#include <cstdlib>
#include <iostream>

#include "tests/evidence/test_util.h"

int main(int argc, char** argv) {
  using namespace aimsgate::evidence;
  if (argc < 3) {
    std::cerr << "usage: evidence_fixture LOG RECORDS [KEY.pem] [CHECKPOINT_EVERY]\n";
    return 2;
  }
  WriterOptions o;
  o.path = argv[1];
  if (argc > 3) o.key_path = argv[3];
  if (argc > 4) o.checkpoint_every_records = std::strtoull(argv[4], nullptr, 10);
  o.checkpoint_every_seconds = 0;
  Status s = testing::WriteSampleLog(o, std::atoi(argv[2]));
  if (!s.ok()) {
    std::cerr << s.message() << "\n";
    return 1;
  }
  return 0;
}
