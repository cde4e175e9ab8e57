// Command redpanda-connect is the project's slim Redpanda Connect distribution:
// the stock CLI with only the component packages our pipelines use, so it can be
// built from the Go module proxy in minutes. Pipelines stay runnable on stock
// `rpk connect`; nothing here registers custom components.
package main

import (
	"context"

	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/redpanda-data/connect/v4/public/components/io"
	_ "github.com/redpanda-data/connect/v4/public/components/kafka"
	_ "github.com/redpanda-data/connect/v4/public/components/mqtt"
	_ "github.com/redpanda-data/connect/v4/public/components/prometheus"
	_ "github.com/redpanda-data/connect/v4/public/components/pure"
	_ "github.com/redpanda-data/connect/v4/public/components/sql/base"
	_ "github.com/redpanda-data/connect/v4/public/components/wasm"

	// Drivers for sql/base: pgx ("pgx") and lib/pq ("postgres").
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/lib/pq"
)

// Version is set at link time to the pinned Connect version (see Makefile).
var Version = "dev"

func main() {
	service.RunCLI(context.Background(),
		service.CLIOptSetBinaryName("redpanda-connect"),
		service.CLIOptSetProductName("Redpanda Connect (nb67 slim)"),
		service.CLIOptSetVersion(Version, ""),
	)
}
