# Berth's two commands on a fresh Debian/Ubuntu machine:
#   make run    builds Berth and opens it on the built-in demo
#   make test   installs what the tests need and runs them all
# Each installs the system packages it needs when they are missing, and
# says which and why.

GO       ?= go
BIN      := bin/berth
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FUZZTIME ?= 60s

# Debian packages Berth builds with, and why.
BUILD_DEBS := gcc pkg-config libgl1-mesa-dev xorg-dev
BUILD_WHY  := the desktop app (Fyne) compiles against the OpenGL and X11 headers
# Debian packages the desktop tests use: a private X server, screenshots
# and the window list.
UI_DEBS := xvfb imagemagick x11-utils
UI_WHY  := the desktop test opens a real window on Xvfb and screenshots it
# Debian packages the tests run for real, and why.
TEST_DEBS := nginx uwsgi uwsgi-plugin-python3 python3-django openssl
TEST_WHY  := the tests compare Berth with real nginx, real uWSGI apps (Django ones among them) and the openssl client
# The container runtime's tests need a Docker engine: Debian's docker.io,
# and a dockerd started for the run when none answers (vfs storage works
# on any file system, inside containers too).
DOCKER_WHY  := the container runtime's tests run containers on a real Docker engine
DOCKERD_LOG := /tmp/berth-dockerd.log
DOCKERD_PID := /tmp/berth-dockerd.pid
# Marks a dockerd that test-deps started, which `make test` stops after
# its run (one that was already running is left alone).
DOCKERD_OURS := /tmp/berth-dockerd.started
STOP_DOCKERD := if [ -f $(DOCKERD_OURS) ]; then \
	  pid=$$(cat $(DOCKERD_PID) 2>/dev/null); rm -f $(DOCKERD_OURS); \
	  if [ -n "$$pid" ] && $(SUDO) kill "$$pid" 2>/dev/null; then \
	    echo "make: stopping the dockerd make started (pid $$pid)"; \
	    for i in $$(seq 1 30); do $(SUDO) kill -0 "$$pid" 2>/dev/null || break; sleep 1; done; \
	  fi; \
	fi

.PHONY: all build build-deps run test test-deps bench bench-deps fuzz vet clean package

# apt_install installs the Debian packages $(1) that are missing, saying
# which and why ($(2)).
define apt_install
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing$$missing ($(2))"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

all: build

build: build-deps
	$(GO) build -o $(BIN) .

build-deps:
	$(call apt_install,$(BUILD_DEBS),$(BUILD_WHY))

# The desktop app on the built-in demo: the seed's four services behind
# the seed's nginx config, at http://127.0.0.1:8080/api/service1/ ...
run: build
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "make: no display (DISPLAY is unset): run the demo headless with 'cd \$$(mktemp -d) && $(CURDIR)/$(BIN) up'"; exit 1; fi
	exec $(CURDIR)/$(BIN) open --demo

test-deps: build-deps
	$(call apt_install,$(TEST_DEBS),$(TEST_WHY))
	$(call apt_install,$(UI_DEBS),$(UI_WHY))
	@if ! command -v dockerd >/dev/null 2>&1; then \
	  echo "make: installing docker.io ($(DOCKER_WHY))"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends docker.io >/dev/null; \
	fi
	@if ! docker info >/dev/null 2>&1; then \
	  echo "make: starting dockerd in the background, log in $(DOCKERD_LOG) (no Docker engine answers; $(DOCKER_WHY))"; \
	  $(SUDO) sh -c 'setsid dockerd --storage-driver=vfs --pidfile $(DOCKERD_PID) >$(DOCKERD_LOG) 2>&1 </dev/null &'; \
	  touch $(DOCKERD_OURS); \
	  for i in $$(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done; \
	  docker info >/dev/null 2>&1 || { echo "make: dockerd does not answer after 60s; the end of $(DOCKERD_LOG):"; tail -20 $(DOCKERD_LOG); exit 1; }; \
	fi

test: test-deps
	@trap '$(STOP_DOCKERD)' EXIT; start=$$(date +%s); \
	gofmt_out=$$(gofmt -l .); if [ -n "$$gofmt_out" ]; then echo "gofmt would change: $$gofmt_out"; exit 1; fi; \
	$(GO) vet ./... && \
	rm -rf test-output && mkdir -p test-output && $(GO) test -race -count=1 -artifacts -outputdir=$(CURDIR)/test-output ./... ; rc=$$?; \
	for f in $$(find test-output -name '*.png' 2>/dev/null); do echo "make test: screenshot $$f"; done; \
	echo "make test: $$(( $$(date +%s) - start ))s"; exit $$rc

# Debian packages the benchmark runs for real, and why.
BENCH_DEBS := nginx uwsgi uwsgi-plugin-python3 wrk docker-compose
BENCH_WHY  := the benchmark loads real nginx and Berth with wrk, over real uWSGI, and starts containers beside docker-compose
BENCHFLAGS ?=

bench-deps:
	$(call apt_install,$(BENCH_DEBS),$(BENCH_WHY))

# The Go benchmarks, then `berth gateway` against nginx on one config
# (fixtures/benchnginx, with the floors under it); e.g. BENCHFLAGS="-d 20s -runs 3" for steadier figures.
bench: test-deps bench-deps
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./fixtures/benchnginx -floors $(BENCHFLAGS)
	$(GO) run ./fixtures/benchup
	$(GO) run ./fixtures/benchdesk
	$(GO) run ./fixtures/benchcontainers
	@$(STOP_DOCKERD)

# The Linux bundle (Berth.tar.xz: binary, icon, .desktop file), made by
# Fyne's packaging tool from FyneApp.toml. macOS and Windows: see README.
FYNE_TOOL := fyne.io/tools/cmd/fyne@v1.7.4
# The tool counts builds up in FyneApp.toml; the file is kept as it is.
package: build-deps
	@cp FyneApp.toml .FyneApp.toml.keep
	$(GO) run $(FYNE_TOOL) package -os linux -release; rc=$$?; mv .FyneApp.toml.keep FyneApp.toml; exit $$rc
	@echo "make: wrote $$(ls -1 *.tar.xz)"

# Runs every fuzz target for FUZZTIME each (go test -fuzz takes one at a time).
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

vet:
	$(GO) vet ./...

clean:
	rm -rf bin
