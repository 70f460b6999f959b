package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/internal/redact"
	"github.com/localoffer/localoffer/sinks/clickhouse"
	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// newFlags returns a FlagSet whose --help prints the verb's usage to stdout.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: localoffer %s\n\nOptions:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; it returns (exit code, done) when the verb should stop.
func parseFlags(fs *flag.FlagSet, env *Env, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(env.Stdout)
			fs.Usage()
			return exitOK, true
		}
		return exitUsage, true
	}
	return 0, false
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newLogger logs human text on a terminal and JSON otherwise.
// LOCALOFFER_LOG_LEVEL=debug|info|warn|error sets the level (default info).
// Every line is redacted: URL userinfo, credential parameters and the
// given secrets (the config's ${ENV} values) show as ***.
func newLogger(env *Env, secrets ...string) *slog.Logger {
	level := slog.LevelInfo
	if v := env.Getenv("LOCALOFFER_LOG_LEVEL"); v != "" {
		level.UnmarshalText([]byte(v))
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewJSONHandler(env.Stderr, opts)
	if isTerminal(env.Stderr) {
		h = slog.NewTextHandler(env.Stderr, opts)
	}
	return slog.New(redact.Handler(h, redact.New(secrets...)))
}

// loadConfig loads the config, printing errors; ok is false on failure (exit 2).
func loadConfig(env *Env, path string) (*config.Config, bool) {
	cfg, err := config.Load(path)
	if err == nil {
		if errs := checkCollectors(cfg); len(errs) > 0 {
			err = errs
		}
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "localoffer: bad configuration:\n%v\n", err)
		return nil, false
	}
	return cfg, true
}

// openWarehouse opens the configured warehouse and applies pending migrations.
// Its errors are masked: a driver may quote the DSN with its password.
func openWarehouse(ctx context.Context, cfg *config.Config, log *slog.Logger) (*warehouse.Warehouse, error) {
	w, err := openWarehouseUnmasked(ctx, cfg, log)
	return w, redact.New(cfg.Secrets...).Error(err)
}

func openWarehouseUnmasked(ctx context.Context, cfg *config.Config, log *slog.Logger) (*warehouse.Warehouse, error) {
	start := time.Now()
	layout := warehouse.Layout{Database: cfg.Warehouse.Database, Cluster: cfg.Warehouse.Cluster}
	var conn warehouse.Conn
	switch cfg.Warehouse.Driver {
	case "embedded":
		c, err := embedded.Open(ctx, cfg.Resolve(cfg.Warehouse.Path), cfg.Warehouse.Database)
		if err != nil {
			return nil, err
		}
		conn = c
	case "clickhouse":
		c, err := clickhouse.Open(ctx, clickhouse.Options{DSN: cfg.Warehouse.DSN, Database: cfg.Warehouse.Database, Log: log})
		if err != nil {
			return nil, err
		}
		conn = c
	default:
		return nil, fmt.Errorf("unknown warehouse driver %q", cfg.Warehouse.Driver)
	}
	log.Debug("warehouse opened", "driver", cfg.Warehouse.Driver, "took", time.Since(start).Round(time.Millisecond))
	w := warehouse.New(conn, layout)
	w.Redactor = redact.New(cfg.Secrets...)
	start = time.Now()
	n, err := w.Migrate(ctx)
	if err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("migrate warehouse: %w", err)
	}
	if n > 0 {
		log.Info("warehouse migrated", "migrations_applied", n, "driver", cfg.Warehouse.Driver, "took", time.Since(start).Round(time.Millisecond))
	}
	// The embedded engine locks its path: no other process can be running.
	if n, err := w.RecoverInterrupted(ctx, cfg.Warehouse.Driver == "embedded"); err != nil {
		log.Error("mark interrupted runs", "err", err)
	} else if n > 0 {
		log.Warn("runs left running by a process that ended are marked interrupted", "runs", n)
	}
	return w, nil
}

// blobDir is where fetched bodies are kept, content-addressed.
func blobDir(cfg *config.Config) string {
	if cfg.Warehouse.BlobDir != "" {
		return cfg.Resolve(cfg.Warehouse.BlobDir)
	}
	if cfg.Warehouse.Driver == "embedded" {
		return filepath.Join(filepath.Dir(cfg.Resolve(cfg.Warehouse.Path)), "blobs")
	}
	return cfg.Resolve("var/blobs")
}
