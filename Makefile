# vodhook: make demo runs the whole loop on the embedded VOD emulator,
# make test runs every test. Both need only Go.

GO        ?= go
BUILD     := build
FUNCTION  := $(BUILD)/main
LOCAL     := $(BUILD)/local/main
ZIP       := $(BUILD)/vodhook-scf.zip
CLI       := $(BUILD)/vodhook
FUZZTIME  ?= 5m

# Fuzz targets, as package:function. make fuzz runs each for FUZZTIME.
FUZZ_TARGETS := internal/notification:FuzzDecode internal/notification:FuzzVerify \
                internal/trigger:FuzzParseEvent internal/config:FuzzParseFile

.PHONY: all build test demo serve lint clean bench fuzz reliability deploy

all: build

# The SCF binary: static, linux/amd64, named main, at the root of the zip.
# build/scf holds only main: it is the code folder serverless.yml deploys.
# build/local/main is the same program for this machine, which the demo,
# serve and invoke run, so they work on macOS and arm64 too.
build:
	@mkdir -p $(BUILD)/scf $(BUILD)/local
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags "-s -w" -o $(FUNCTION) ./cmd/scf
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $(LOCAL) ./cmd/scf
	$(GO) build -o $(CLI) ./cmd/vodhook
	$(CLI) package -binary $(FUNCTION) -o $(ZIP)
	rm -rf $(BUILD)/scf && mkdir -p $(BUILD)/scf && cp -p $(FUNCTION) $(BUILD)/scf/main

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...

demo: build
	$(CLI) demo -binary $(LOCAL)

serve: build
	$(CLI) serve -binary $(LOCAL)

# Deploys to Tencent Cloud with the scf CLI; see deploy/install.sh --help.
# DEPLOY_FLAGS passes options, e.g. make deploy DEPLOY_FLAGS=--dry-run.
deploy:
	./deploy/install.sh $(DEPLOY_FLAGS)

# Each target's last line reports its executions; see docs/RELIABILITY.md.
fuzz:
	@for target in $(FUZZ_TARGETS); do \
		pkg=$${target%%:*}; name=$${target##*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$pkg || exit 1; \
	done

# Benchmarks; docs/BENCHMARKS.md records their figures.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./internal/notification ./internal/function ./internal/scfharness

# The figures of docs/RELIABILITY.md: the fault table, duplicate deliveries,
# signature attempts, and the secret check over every function log line.
reliability:
	@$(GO) test -count=1 -v -run 'TestFault' ./internal/function | grep -E 'fault-table \||leakcheck:' | sed 's/^ *[a-z_]*_test.go:[0-9]*: //'
	@$(GO) test -count=1 -v ./internal/localstack | grep -E '(duplicates|signatures|fault-table) \||leakcheck:' | sed 's/^ *[a-z_]*_test.go:[0-9]*: //'
	@$(GO) test -count=1 -v ./internal/function | grep 'leakcheck:'

lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf $(BUILD)
