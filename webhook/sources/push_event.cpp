#include "webhook/sources/push_event.h"

namespace autobuild::webhook {

const char* toString(EventKind kind) {
  switch (kind) {
    case EventKind::Push:
      return "Push";
    case EventKind::Ping:
      return "Ping";
    case EventKind::TagPush:
      return "TagPush";
    case EventKind::BranchDeletion:
      return "BranchDeletion";
    case EventKind::ImagePush:
      return "ImagePush";
    case EventKind::ApiCall:
      return "ApiCall";
    case EventKind::Other:
      return "Other";
  }
  return "Other";
}

}  // namespace autobuild::webhook
