// Planted violation: the lint must reject this file (test lint.banned_catches_planted).
#pragma once
#include <chrono>
