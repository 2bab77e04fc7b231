// The one instance of each provider's Source, for the table in source_table.cpp.
#pragma once

#include "webhook/sources/source.h"

namespace autobuild::webhook {

const Source& gitHubSource();
const Source& gitLabSource();
const Source& giteeSource();
const Source& gogsSource();
const Source& giteaSource();
const Source& dockerHubSource();
const Source& apiTriggerSource();

}  // namespace autobuild::webhook
