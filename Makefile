# vodhook: make demo runs the whole loop on the embedded VOD emulator,
# make test runs every test. Both need only Go.

GO        ?= go
BUILD     := build
FUNCTION  := $(BUILD)/main
ZIP       := $(BUILD)/vodhook-scf.zip
CLI       := $(BUILD)/vodhook
FUZZTIME  ?= 5m

.PHONY: all build test demo serve lint clean bench fuzz

all: build

# The SCF binary: static, linux/amd64, named main, at the root of the zip.
build:
	@mkdir -p $(BUILD)
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags "-s -w" -o $(FUNCTION) ./cmd/scf
	$(GO) build -o $(CLI) ./cmd/vodhook
	$(CLI) package -binary $(FUNCTION) -o $(ZIP)

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...

demo: build
	$(CLI) demo -binary $(FUNCTION)

serve: build
	$(CLI) serve -binary $(FUNCTION)

lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf $(BUILD)
