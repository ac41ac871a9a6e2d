#include "tocsin/page/snapshot_builder.hpp"

#include <zlib.h>

namespace tocsin::page {

std::string Gzip(std::string_view data) {
    z_stream zs{};
    // windowBits 15 + 16 asks zlib for a gzip header. Level 6: bench/write_path.sh showed
    // level 9 spending a third of a write's CPU in zlib for a few percent smaller pages.
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
    std::string out;
    out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&zs, Z_FINISH);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) return {};
    out.resize(zs.total_out);
    return out;
}

}  // namespace tocsin::page
