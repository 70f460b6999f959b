package redact

import (
	"context"
	"fmt"
	"log/slog"
)

// Handler masks secrets in every message and attribute before h sees them.
func Handler(h slog.Handler, r *Redactor) slog.Handler { return &handler{h: h, r: r} }

type handler struct {
	h slog.Handler
	r *Redactor
}

func (x *handler) Enabled(ctx context.Context, l slog.Level) bool { return x.h.Enabled(ctx, l) }

func (x *handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, x.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(x.attr(a))
		return true
	})
	return x.h.Handle(ctx, out)
}

func (x *handler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = x.attr(a)
	}
	return &handler{h: x.h.WithAttrs(clean), r: x.r}
}

func (x *handler) WithGroup(name string) slog.Handler {
	return &handler{h: x.h.WithGroup(name), r: x.r}
}

// attr masks string values, errors and Stringers (URLs among them); other
// values cannot hold a secret.
func (x *handler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, x.r.String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = x.attr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		switch t := v.Any().(type) {
		case error:
			return slog.String(a.Key, x.r.String(t.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, x.r.String(t.String()))
		case []string:
			out := make([]string, len(t))
			for i, s := range t {
				out[i] = x.r.String(s)
			}
			return slog.Any(a.Key, out)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
