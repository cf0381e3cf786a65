# Two doors for a newcomer: `make demo` (the main job) and `make test`.
SWIFT ?= swift

# Release builds enable the host's vector ISA (AVX2 + FMA on this machine): without it,
# SIMD8<Float>.addProduct becomes a per-lane library call and the GEMM runs ~60x slower.
# Portable fallback: `make PORTABLE=1 ...` builds for the baseline target (slow but runs anywhere).
ifeq ($(PORTABLE),1)
ARCH_FLAGS :=
else
ARCH_FLAGS := -Xswiftc -target-cpu -Xswiftc native -Xcc -march=native
endif
RELEASE := -c release $(ARCH_FLAGS)
BIN = $(shell $(SWIFT) build $(RELEASE) --show-bin-path)

.PHONY: build test bench demo corpus clean

build:
	$(SWIFT) build $(RELEASE)

# Tests run in release: numeric Swift is 10-100x slower in debug builds.
test:
	$(SWIFT) test $(RELEASE)

bench: build
	$(BIN)/bench

clean:
	rm -rf .build
