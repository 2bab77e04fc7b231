#include "kube/object_packer.h"

#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace autobuild::kube {
namespace {

// Enough for the field names and the shape of any object; a larger first object (a ConfigMap's data)
// would only make every later compression slower.
constexpr std::size_t kMaxDictionaryBytes = 16 * 1024;

void check(std::size_t code, const char* what) {
  if (ZSTD_isError(code)) throw std::runtime_error(std::string(what) + ": " + ZSTD_getErrorName(code));
}

}  // namespace

struct ObjectPacker::Codec {
  std::mutex pack_mutex;
  ZSTD_CCtx* cctx = nullptr;
  ZSTD_CDict* cdict = nullptr;
  // Set once, with the compression dictionary, before the first packed bytes exist.
  std::atomic<ZSTD_DDict*> ddict{nullptr};
  std::mutex unpack_mutex;
  ZSTD_DCtx* dctx = nullptr;

  ~Codec() {
    ZSTD_freeCCtx(cctx);
    ZSTD_freeCDict(cdict);
    ZSTD_freeDDict(ddict.load());
    ZSTD_freeDCtx(dctx);
  }
};

ObjectPacker::ObjectPacker() : codec_(std::make_unique<Codec>()) {
  codec_->cctx = ZSTD_createCCtx();
  codec_->dctx = ZSTD_createDCtx();
  if (!codec_->cctx || !codec_->dctx) throw std::bad_alloc();
  // Neither a dictionary id nor a checksum: the bytes never leave the process that wrote them.
  check(ZSTD_CCtx_setParameter(codec_->cctx, ZSTD_c_dictIDFlag, 0), "zstd dictIDFlag");
  check(ZSTD_CCtx_setParameter(codec_->cctx, ZSTD_c_checksumFlag, 0), "zstd checksumFlag");
  // The size in the frame is what unpack() sizes its buffer by.
  check(ZSTD_CCtx_setParameter(codec_->cctx, ZSTD_c_contentSizeFlag, 1), "zstd contentSizeFlag");
}

ObjectPacker::~ObjectPacker() = default;

std::string ObjectPacker::pack(const nlohmann::json& object) {
  std::vector<std::uint8_t> cbor = nlohmann::json::to_cbor(object);
  std::lock_guard lock(codec_->pack_mutex);
  if (!codec_->cdict) {
    const std::size_t size = std::min(cbor.size(), kMaxDictionaryBytes);
    ZSTD_CDict* cdict = ZSTD_createCDict(cbor.data(), size, ZSTD_CLEVEL_DEFAULT);
    ZSTD_DDict* ddict = ZSTD_createDDict(cbor.data(), size);
    if (!cdict || !ddict) {
      ZSTD_freeCDict(cdict);
      ZSTD_freeDDict(ddict);
      throw std::bad_alloc();
    }
    codec_->cdict = cdict;
    codec_->ddict.store(ddict, std::memory_order_release);
    check(ZSTD_CCtx_refCDict(codec_->cctx, cdict), "zstd refCDict");
  }
  std::string packed(ZSTD_compressBound(cbor.size()), '\0');
  std::size_t size = ZSTD_compress2(codec_->cctx, packed.data(), packed.size(), cbor.data(), cbor.size());
  check(size, "zstd compress");
  packed.resize(size);
  packed.shrink_to_fit();
  return packed;
}

nlohmann::json ObjectPacker::unpack(std::string_view bytes) const {
  ZSTD_DDict* ddict = codec_->ddict.load(std::memory_order_acquire);
  if (!ddict) throw std::runtime_error("unpack: nothing was packed yet");
  const unsigned long long size = ZSTD_getFrameContentSize(bytes.data(), bytes.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
    throw std::runtime_error("unpack: not the bytes of a packed object");
  }
  std::vector<std::uint8_t> cbor(size);
  {
    std::lock_guard lock(codec_->unpack_mutex);
    std::size_t got =
        ZSTD_decompress_usingDDict(codec_->dctx, cbor.data(), cbor.size(), bytes.data(), bytes.size(), ddict);
    check(got, "unpack: zstd decompress");
    if (got != size) throw std::runtime_error("unpack: shorter than its frame says");
  }
  return nlohmann::json::from_cbor(cbor);
}

}  // namespace autobuild::kube
