// Packs the objects of one cache into compact bytes and back: CBOR, compressed by zstd against a
// dictionary made of the first object packed. Objects of one resource share their field names and many
// values (namespace, kind, the shape of their status), so against one of their own an AutoBuild of 800
// CBOR bytes packs into under 100. Bytes are only ever read back by the packer that wrote them. The
// dictionary is a copy of the first object, kept for the packer's life: for a cache of Secrets, one
// value outlives its Secret in the process's memory, as it would in any cache. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace autobuild::kube {

class ObjectPacker {
 public:
  ObjectPacker();
  ~ObjectPacker();
  ObjectPacker(const ObjectPacker&) = delete;
  ObjectPacker& operator=(const ObjectPacker&) = delete;

  std::string pack(const nlohmann::json& object);
  // std::runtime_error if `bytes` did not come from this packer's pack().
  nlohmann::json unpack(std::string_view bytes) const;

 private:
  struct Codec;
  std::unique_ptr<Codec> codec_;
};

}  // namespace autobuild::kube
