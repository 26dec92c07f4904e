// Command tollgate is an API gateway that runs Azure API Management
// configuration unchanged. See "tollgate help".
package main

import (
	"context"
	"os"

	"github.com/tollgate/tollgate/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
