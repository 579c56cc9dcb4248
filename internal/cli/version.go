package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/modecrawl/modecrawl/internal/version"
	"github.com/modecrawl/modecrawl/pkg/record"
)

func newVersionCommand(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print modecrawl's version",
		Args:  noArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(s.out, "modecrawl %s (output schema %s, %s %s/%s)\n",
				version.Version, record.SchemaVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}

// noArgs rejects positional arguments as a usage error (exit 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args)}
	}
	return nil
}
