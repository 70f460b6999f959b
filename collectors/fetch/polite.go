package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
	"golang.org/x/time/rate"
)

// hostLimiter spaces requests to each host (Colly's per-domain limit rule):
// one token bucket of burst 1 per host.
type hostLimiter struct {
	rps  float64
	mu   sync.Mutex
	per  map[string]*rate.Limiter
	next map[string]time.Time // earliest moment the host's next request may leave
}

func newHostLimiter(rps float64) *hostLimiter {
	return &hostLimiter{rps: rps, per: map[string]*rate.Limiter{}, next: map[string]time.Time{}}
}

func (h *hostLimiter) limiter(host string) *rate.Limiter {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.per[host]
	if l == nil {
		lim := rate.Inf
		if h.rps > 0 {
			lim = rate.Limit(h.rps)
		}
		l = rate.NewLimiter(lim, 1)
		h.per[host] = l
	}
	return l
}

func (h *hostLimiter) wait(ctx context.Context, host string) error {
	return h.limiter(host).Wait(ctx)
}

// space keeps the moments requests actually leave one interval apart. The
// token bucket paces turns, but a turn that then waited for a concurrency slot
// can leave just before the host's next turn; this closes that gap. The wait
// is at most one interval and happens only after a slot wait.
func (h *hostLimiter) space(ctx context.Context, host string) error {
	l := h.limiter(host)
	if l.Limit() == rate.Inf || l.Limit() <= 0 {
		return nil
	}
	interval := time.Duration(float64(time.Second) / float64(l.Limit()))
	h.mu.Lock()
	now := time.Now()
	at := h.next[host]
	if at.Before(now) {
		at = now
	}
	h.next[host] = at.Add(interval)
	h.mu.Unlock()
	return sleepCtx(ctx, at.Sub(now))
}

// slowDown applies a robots.txt Crawl-delay when it is slower than our own rate.
func (h *hostLimiter) slowDown(host string, delay time.Duration) {
	if delay <= 0 {
		return
	}
	l := h.limiter(host)
	if want := rate.Every(delay); want < l.Limit() {
		l.SetLimit(want)
	}
}

// acquire waits for the host's turn, then takes a global concurrency slot.
// In that order, requests queued for a slow host never hold slots other
// hosts could use.
func (c *Client) acquire(ctx context.Context, host string) error {
	if err := c.hosts.wait(ctx, host); err != nil {
		return err
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := c.hosts.space(ctx, host); err != nil {
		c.release()
		return err
	}
	return nil
}

func (c *Client) release() { <-c.sem }

// robotsCache holds one parsed robots.txt per scheme://host, fetched once.
type robotsCache struct {
	c  *Client
	mu sync.Mutex
	m  map[string]*robotsEntry
}

type robotsEntry struct {
	done chan struct{}
	data *robotstxt.RobotsData
}

func newRobotsCache(c *Client) *robotsCache { return &robotsCache{c: c, m: map[string]*robotsEntry{}} }

type robotsFetchKey struct{}

// check returns a *RobotsError when robots.txt disallows u for our User-Agent.
func (rc *robotsCache) check(ctx context.Context, u *url.URL) error {
	if rc.c.opts.IgnoreRobots || ctx.Value(robotsFetchKey{}) != nil {
		return nil
	}
	data := rc.get(ctx, u)
	if data == nil {
		return nil
	}
	if !data.TestAgent(u.RequestURI(), rc.c.opts.UserAgent) {
		return &RobotsError{URL: u.String(), UserAgent: rc.c.opts.UserAgent}
	}
	return nil
}

func (rc *robotsCache) get(ctx context.Context, u *url.URL) *robotstxt.RobotsData {
	key := u.Scheme + "://" + u.Host
	rc.mu.Lock()
	e, ok := rc.m[key]
	if !ok {
		e = &robotsEntry{done: make(chan struct{})}
		rc.m[key] = e
	}
	rc.mu.Unlock()
	if ok {
		select {
		case <-e.done:
			return e.data
		case <-ctx.Done():
			return nil
		}
	}
	e.data = rc.fetch(ctx, key, u.Host)
	close(e.done)
	return e.data
}

// fetch reads robots.txt. A missing file (4xx) allows everything; a 5xx
// disallows everything (the robots convention); an unreachable or unparsable
// file is logged and treated as allowing, since the fetch itself will then
// fail or succeed on its own merits.
func (rc *robotsCache) fetch(ctx context.Context, base, host string) *robotstxt.RobotsData {
	c := rc.c
	robotsURL := base + "/robots.txt"
	ctx = context.WithValue(ctx, robotsFetchKey{}, true)
	// robots.txt is a request to the host like any other: its turn, and its
	// send time spaced from the requests after it.
	if err := c.hosts.wait(ctx, host); err != nil {
		return nil
	}
	if err := c.hosts.space(ctx, host); err != nil {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, robotsURL, nil)
	if err != nil {
		return nil
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		c.log.Warn("robots.txt unreachable; proceeding", "url", robotsURL, "err", err)
		return nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 512<<10))
	if err != nil {
		c.log.Warn("robots.txt unreadable; proceeding", "url", robotsURL, "err", err)
		return nil
	}
	data, err := robotstxt.FromStatusAndBytes(resp.StatusCode, body)
	if err != nil {
		c.log.Warn("robots.txt unparsable; proceeding", "url", robotsURL, "err", err)
		return nil
	}
	if g := data.FindGroup(c.opts.UserAgent); g != nil && g.CrawlDelay > 0 && c.opts.PerHostRPS > 0 {
		c.hosts.slowDown(host, g.CrawlDelay)
	}
	return data
}

// checkRedirect limits redirects and keeps them on the original host (or its
// www. / https variant, or an allowed host), and under robots.txt.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	from, to := redactURL(via[0].URL.String()), redactURL(req.URL.String())
	if len(via) > c.opts.MaxRedirects {
		return &RedirectError{From: from, To: to, Reason: fmt.Sprintf("more than %d redirects", c.opts.MaxRedirects)}
	}
	p := policyFrom(req.Context())
	if p != nil && p.o != nil {
		if err := p.o.checkHop(req.URL, p.scope); err != nil {
			pe := err.(*PolicyError)
			return &RedirectError{From: from, To: to, Reason: pe.Reason, Rule: pe.Rule}
		}
	} else {
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return &RedirectError{From: from, To: to, Reason: "not http(s)", Rule: "scheme"}
		}
		if !c.sameSite(siteHost(via[0].URL), siteHost(req.URL)) {
			return &RedirectError{From: from, To: to, Reason: "another host (add it to http.allowed_hosts to follow it)", Rule: "host"}
		}
	}
	if err := c.checkAddress(req.Context(), p, req.URL); err != nil {
		pe := err.(*PolicyError)
		return &RedirectError{From: from, To: to, Reason: pe.Reason, Rule: pe.Rule}
	}
	if p != nil && !p.credOrigins[originOf(req.URL)] {
		// Credentials never follow a redirect to another origin (Go keeps
		// custom headers, and Authorization for subdomains).
		for _, k := range p.creds {
			req.Header.Del(k)
		}
		req.Header.Del("Authorization")
		req.URL.User = nil
	}
	return c.robots.check(req.Context(), req.URL)
}

// siteHost is host[:port] without the scheme's default port, so an
// http→https upgrade on the same name stays on the same site.
func siteHost(u *url.URL) string {
	h, p := strings.ToLower(u.Hostname()), u.Port()
	if p == "" || p == "80" || p == "443" {
		return h
	}
	return net.JoinHostPort(h, p)
}

func (c *Client) sameSite(orig, to string) bool {
	orig, to = strings.ToLower(orig), strings.ToLower(to)
	if orig == to || "www."+orig == to || orig == "www."+to {
		return true
	}
	for _, h := range c.opts.AllowedHosts {
		if strings.EqualFold(h, to) {
			return true
		}
	}
	return false
}

// retryable: network errors (not our own refusals or a cancelled context),
// 429 and 5xx.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || IsPermanent(err) {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status == http.StatusTooManyRequests || se.Status >= 500 && se.Status != http.StatusNotImplemented
	}
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded)
}

// backoff is exponential with full jitter, at least the server's Retry-After,
// and never more than MaxBackoff.
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	base := c.opts.MinBackoff << min(attempt, 20)
	if base > c.opts.MaxBackoff || base <= 0 {
		base = c.opts.MaxBackoff
	}
	d := base/2 + rand.N(base/2+1)
	if retryAfter > d {
		d = retryAfter
	}
	return min(d, c.opts.MaxBackoff)
}

// retryAfter parses Retry-After: delay-seconds or an HTTP-date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
