#pragma once
// Helpers for the feed and extension tests: a scratch directory, a file's bytes.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace interloop::testing {

/// A fresh directory under the system's temporary directory, removed with its files.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        auto pattern = (std::filesystem::temp_directory_path() / "interloop-feed-XXXXXX").string();
        path = ::mkdtemp(pattern.data());
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    /// The path of `name` in the directory.
    std::string file(const char* name) const { return (path / name).string(); }
};

/// The bytes of the file at `path` (empty if it cannot be read).
inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace interloop::testing
