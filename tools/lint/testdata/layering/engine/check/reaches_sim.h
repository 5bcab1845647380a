// Planted violation: the shared judges may not include the simulator.
#pragma once
#include "sim/world.h"
