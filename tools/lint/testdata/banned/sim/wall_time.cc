// Planted violation: sim/ may not read wall time.
auto t = std::chrono::steady_clock::now();
