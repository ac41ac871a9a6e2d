#include "tocsin/page/snapshot.hpp"

namespace tocsin::page {

std::string Snapshot::Key(std::string_view path, std::string_view lang) {
    std::string key(path);
    if (!lang.empty()) {
        key += '#';
        key += lang;
    }
    return key;
}

const Entry* Snapshot::Find(const std::string& key) const {
    auto it = entries.find(key);
    return it == entries.end() ? nullptr : &it->second;
}

}  // namespace tocsin::page
