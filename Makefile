# accountd — run `make run` to start the server with demo data on SQLite in
# ./data, and `make test` to run every test.

GO        ?= go
BIN       := bin/accountd
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run build test test-short bench generate check-generated lint migration clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/accountd

## run: build and serve with demo data on SQLite in ./data
run: build
	./$(BIN) serve --demo

## test: every test, with the race detector; PostgreSQL too when
## TEST_DATABASE_URL names a server
test:
	$(GO) test -race -count=1 ./...

## bench: the Go benchmarks, on SQLite and (with TEST_DATABASE_URL) PostgreSQL
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=$(BENCHTIME) -count=$(BENCHCOUNT) ./...

BENCHTIME  ?= 2s
BENCHCOUNT ?= 1

## generate: regenerate the ent and gqlgen code
generate:
	$(GO) generate ./...

## check-generated: fail when regenerating would change a committed file
check-generated: generate
	@git status --porcelain -- . | grep . && { \
		echo "generated code is out of date: run make generate and commit"; exit 1; } || true

## lint: formatting, vet and staticcheck (staticcheck skips the generated
## ent and gqlgen packages, whose findings are the generators')
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then \
		echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./ent/schema/... \
		$$($(GO) list ./... | grep -v -E '^accountd/ent($$|/)|/graph/generated$$')

## migration: write a new migration for both dialects from the ent schema
## (NAME=what_changed; needs a PostgreSQL server to replay on)
migration:
	@test -n "$(NAME)" || { echo "usage: make migration NAME=what_changed"; exit 2; }
	$(GO) run ./internal/storage/migrategen -name $(NAME)

clean:
	rm -rf bin
