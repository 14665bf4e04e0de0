# Writes a C++ source holding the built-in rule pack's YAML as a byte array.
file(READ ${INPUT} _hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
file(WRITE ${OUTPUT}
"// Generated from rules/iso42001/pack.yaml by evaluator/pack/embed_pack.cmake.\n"
"#include \"evaluator/pack/pack_loader.h\"\n"
"namespace aimsgate {\n"
"namespace { const unsigned char kBytes[] = {${_bytes} 0x00}; }\n"
"const char kBuiltinPackName[] = \"iso42001\";\n"
"std::shared_ptr<const SourceFile> BuiltinPackSource() {\n"
"  static const auto file = SourceFile::FromString(\"rules/iso42001/pack.yaml\",\n"
"      std::string(reinterpret_cast<const char*>(kBytes), sizeof(kBytes) - 1));\n"
"  return file;\n"
"}\n"
"}  // namespace aimsgate\n")
