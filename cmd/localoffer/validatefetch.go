package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"time"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/feedcheck"
)

// apiFetcher walks an API for validate through the fetch layer, like a
// pipeline would: robots.txt, the per-host rate, the User-Agent, size limits
// and the URL policy (pages and details stay on the target's host). Bodies go
// to a temporary blob store that cleanup removes.
func apiFetcher(target string, timeout time.Duration, rps float64, maxBody int64, log *slog.Logger) (feedcheck.Fetcher, func(), error) {
	dir, err := os.MkdirTemp("", "localoffer-validate-")
	if err != nil {
		return nil, nil, err
	}
	client := fetch.New(fetch.Options{
		UserAgent:    "localoffer-validate/0.1 (+https://github.com/localoffer/localoffer)",
		Timeout:      timeout,
		MaxBodyBytes: maxBody,
		PerHostRPS:   rps,
	}, &fetch.Blobs{Dir: dir}, log)
	sess := client.Session("validate", "", nil).WithOrigins(target)
	get := func(ctx context.Context, u string) (feedcheck.Response, error) {
		doc, err := sess.Get(ctx, u, fetch.WithHeader("Accept", "application/json"))
		var se *fetch.StatusError
		if errors.As(err, &se) {
			return feedcheck.Response{Status: se.Status}, nil
		}
		if err != nil {
			return feedcheck.Response{}, err
		}
		body, err := doc.Bytes()
		return feedcheck.Response{Status: doc.Status, ContentType: doc.ContentType, Body: body}, err
	}
	return get, func() { os.RemoveAll(dir) }, nil
}
