# Thin wrapper over CMake + Ninja. `make test` is the one command CI runs.
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc)
FUZZ_RUNS ?= 10000000
FUZZ_MAX_SECONDS ?= 7200

CMAKE_FLAGS ?=

.PHONY: all deps configure build package demo test test-unit test-asan fuzz-build fuzz fuzz-short bench soak clean format

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The Debian package, build/tokenwarden_<version>_<arch>.deb, packed from this
# build's bin/tokenwarden (no second compile); a package links Debian's shared
# libraries, so a static build is reconfigured first. Then lintian's verdict.
package: build
	@if grep -q '^TW_STATIC_BINARY:BOOL=ON' $(BUILD)/CMakeCache.txt 2>/dev/null; then \
	  cmake -S . -B $(BUILD) -DTW_STATIC_BINARY=OFF && cmake --build $(BUILD) -j $(JOBS) --target tokenwarden; fi
	deb=$$(scripts/build-deb.sh $(BUILD) $(BUILD)) && echo "$$deb" && lintian --fail-on error,warning "$$deb"

# Emulator + agent on a scaled clock, a client through the proxy, faults on
# cue, a timeline; about 45 s.
demo: build
	@/usr/bin/python3 scripts/demo.py $(BUILD)

# Everything CI checks: the normal build with every test, every test again
# under ASan+UBSan, and a short run of each fuzzer.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE bench --output-junit ctest.xml
	$(MAKE) test-asan
	$(MAKE) fuzz-short
	@/usr/bin/python3 scripts/summarize_tests.py $(BUILD)/ctest.xml $(ASAN_BUILD)/ctest.xml

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTW_SANITIZE=ON -DTW_BUILD_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -LE bench --output-junit ctest.xml

$(FUZZ_BUILD)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTW_BUILD_FUZZ=ON -DTW_BUILD_TESTS=OFF -DTW_BUILD_BENCH=OFF -DTW_WERROR=OFF

fuzz-build: deps $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers

# A short run of each fuzzer (CI): 20 s each. `make fuzz` runs each for
# FUZZ_RUNS executions, at most FUZZ_MAX_SECONDS each (stopping short fails).
fuzz-short: fuzz-build
	fuzz/run.sh $(FUZZ_BUILD)/bin 20

fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_BUILD)/bin $(FUZZ_MAX_SECONDS) $(FUZZ_RUNS)

# Every benchmark beside its peer, written to docs/BENCHMARKS.md.
bench: build
	bench/run.sh $(BUILD)

# The long reliability runs (CI runs the short ones): 200 crashes, 10,000
# idle connections and storm requests, 30 simulated days under load; about
# 25 minutes. The fuzzing campaign is `make fuzz`.
soak: build
	cd $(BUILD) && TW_SOAK=1 ./bin/reliability_process_test
	cd $(BUILD) && TW_STORM_REQUESTS=10000 ./bin/fleet_process_test --gtest_filter='*RefreshStorm*'

format:
	find include src fuzz bench tests -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
