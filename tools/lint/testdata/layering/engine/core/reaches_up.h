// Planted violation: the core may not include the host.
#pragma once
#include "engine/host/node_host.h"
