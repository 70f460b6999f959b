// Command feedbench is the server side of the feed benchmarks
// (scripts/bench-feed.sh, scripts/bench-england.sh): it generates real-shaped
// nested ORUK 3.0 services (about 2.8 KB each) and serves them on loopback
// with keep-alive, 100 a page at most (the ORUK maximum).
//
//	feedbench serve -services 20000                    one council's API at http://ADDR/api
//	feedbench serve -councils 153 -per-council 300     one API per LA at http://ADDR/<gss>
//	feedbench replay -dir CAPTURE -warehouse NEWDIR    the engine floor of a run's captured inserts
//	feedbench replay -dir CAPTURE [-db DB]             the engine floor of captured inserts
//
// serve prints "feed URL" (or one "council GSS URL" line per council) and then
// "ready", and serves until interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/localoffer/localoffer/schema/lacodes"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: feedbench serve|replay [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(ctx, os.Args[2:], os.Stdout)
	case "replay":
		err = replay(ctx, os.Args[2:], os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q (serve or replay)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "feedbench:", err)
		os.Exit(1)
	}
}

// bristol is the single feed's LA (the real records the shapes follow are Bristol's).
const bristol = "E06000023"

func serve(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	services := fs.Int("services", 20000, "services in the single feed")
	councils := fs.Int("councils", 0, "England mode: this many councils (at most 153), one API each")
	perCouncil := fs.Int("per-council", 300, "England mode: services per council")
	seed := fs.Uint64("seed", 1, "generator seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(24 * time.Hour)
	f := &feeds{byPrefix: map[string]*council{}}
	var lines []string
	if *councils > 0 {
		all := lacodes.All()
		if *councils > len(all) {
			return fmt.Errorf("-councils %d: there are %d LAs", *councils, len(all))
		}
		for _, la := range all[:*councils] {
			c, err := genCouncil(*seed, la, *perCouncil, now)
			if err != nil {
				return err
			}
			f.byPrefix[c.Slug] = c
			lines = append(lines, "council "+la.GSS+" %s/"+c.Slug)
		}
	} else {
		la, _ := lacodes.ByGSS(bristol)
		c, err := genCouncil(*seed, la, *services, now)
		if err != nil {
			return err
		}
		f.byPrefix["api"] = c
		lines = append(lines, "feed %s/api")
	}
	n, size := 0, 0
	for _, c := range f.byPrefix {
		n += len(c.services)
		size += meanSize(c) * len(c.services)
	}
	fmt.Fprintf(os.Stderr, "feedbench: %d services, mean %d bytes each\n", n, size/max(1, n))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	for _, l := range lines {
		fmt.Fprintf(out, l+"\n", base)
	}
	fmt.Fprintln(out, "ready")
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 5 * time.Minute}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// meanSize is a council's mean encoded service size in bytes.
func meanSize(c *council) int {
	total := 0
	for _, b := range c.services {
		total += len(b)
	}
	return total / max(1, len(c.services))
}
