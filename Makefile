# Thin wrapper over CMake + Ninja. `make test` is the one command CI runs.
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 300

CMAKE_FLAGS ?=

.PHONY: all deps configure build demo test test-unit test-asan fuzz-build fuzz fuzz-short bench clean format

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

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

# A short run of each fuzzer (CI); `make fuzz` runs them FUZZ_SECONDS each.
fuzz-short: fuzz-build
	fuzz/run.sh $(FUZZ_BUILD)/bin 20

fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_BUILD)/bin $(FUZZ_SECONDS)

bench: build
	bench/run.sh $(BUILD)

format:
	find include src fuzz bench tests -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
