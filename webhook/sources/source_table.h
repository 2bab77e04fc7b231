// Which Source reads deliveries of each api::SourceType: the one list of providers.
#pragma once

#include "api/autobuild.h"
#include "webhook/sources/source.h"

namespace autobuild::webhook {

// The source for `type`; the reference stays valid for the life of the process and is safe to share
// between threads.
const Source& sourceFor(api::SourceType type);

}  // namespace autobuild::webhook
