package hsdsmap

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Flag decodes true/false, "true"/"false" and 1/0; anything else is unknown.
type Flag struct {
	V, OK bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Flag) UnmarshalJSON(b []byte) error {
	switch strings.ToLower(strings.Trim(string(b), `"`)) {
	case "true", "1":
		*f = Flag{true, true}
	case "false", "0":
		*f = Flag{false, true}
	default:
		*f = Flag{}
	}
	return nil
}

// Page is one page of a paginated list in either shape: HSDS 3.0 / ORUK 3.0
// (total_items, total_pages, page_number, size, first_page, last_page,
// contents) or ORUK 1.0 (totalElements, totalPages, number, size, first,
// last, content). A bare JSON array is a single page without metadata.
// Items are decoded straight into T (one pass over the bytes).
type Page[T any] struct {
	TotalItems Num
	TotalPages Num
	PageNumber Num
	Size       Num
	First      Flag
	Last       Flag
	Empty      Flag
	Items      []T
	// Bare: the document was a JSON array, not a page object.
	Bare bool
}

type pageJSON[T any] struct {
	TotalItems    Num  `json:"total_items"`
	TotalElements Num  `json:"totalElements"`
	TotalPages    Num  `json:"total_pages"`
	TotalPagesV1  Num  `json:"totalPages"`
	PageNumber    Num  `json:"page_number"`
	Number        Num  `json:"number"`
	Size          Num  `json:"size"`
	FirstPage     Flag `json:"first_page"`
	First         Flag `json:"first"`
	LastPage      Flag `json:"last_page"`
	Last          Flag `json:"last"`
	Empty         Flag `json:"empty"`
	Contents      []T  `json:"contents"`
	Content       []T  `json:"content"`
}

// ErrNotJSON: the body is not JSON, typically an HTML login or error page
// served with status 200.
var ErrNotJSON = errors.New("not JSON")

// ErrNotList: the JSON is not a paginated list.
var ErrNotList = errors.New("not a list page")

// DecodePage reads one list page. A *FieldError (a value of the wrong JSON
// type) comes back with the page, which is otherwise complete; any other
// error means there is no page.
func DecodePage[T any](r io.Reader) (*Page[T], error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if err := sniffJSON(br); err != nil {
		return nil, err
	}
	first, _ := br.Peek(1)
	if first[0] == '[' {
		var items []T
		err := typeErrorOnly(json.NewDecoder(br).Decode(&items))
		if err != nil && !isFieldError(err) {
			return nil, err
		}
		return &Page[T]{Items: items, Bare: true}, err
	}
	var pj pageJSON[T]
	err := typeErrorOnly(json.NewDecoder(br).Decode(&pj))
	if err != nil && !isFieldError(err) {
		return nil, err
	}
	if pj.Contents == nil && pj.Content == nil {
		// Reading zero services from an unexpected shape would look like a
		// feed that withdrew everything.
		return nil, fmt.Errorf("%w: a JSON object without a contents (or ORUK 1.0 content) list", ErrNotList)
	}
	p := &Page[T]{Size: pj.Size, Empty: pj.Empty, Items: pj.Contents}
	p.TotalItems = orNum(pj.TotalItems, pj.TotalElements)
	p.TotalPages = orNum(pj.TotalPages, pj.TotalPagesV1)
	p.PageNumber = orNum(pj.PageNumber, pj.Number)
	p.First = orFlag(pj.FirstPage, pj.First)
	p.Last = orFlag(pj.LastPage, pj.Last)
	if p.Items == nil {
		p.Items = pj.Content
	}
	return p, err
}

// typeErrorOnly turns encoding/json's type errors (after which it decodes
// the rest) into a *FieldError, and other errors into "invalid JSON".
func typeErrorOnly(err error) error {
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &FieldError{Field: te.Field, Msg: fmt.Sprintf("%s where %s was expected", te.Value, te.Type)}
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func isFieldError(err error) bool {
	var fe *FieldError
	return errors.As(err, &fe)
}

// sniffJSON rejects bodies that are plainly not JSON (HTML, empty) with a
// message that says what they look like.
func sniffJSON(br *bufio.Reader) error {
	for {
		b, err := br.Peek(1)
		if err != nil {
			return fmt.Errorf("%w: empty body", ErrNotJSON)
		}
		switch {
		case b[0] == ' ' || b[0] == '\n' || b[0] == '\r' || b[0] == '\t':
			br.Discard(1)
		case b[0] == 0xEF:
			if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
				br.Discard(3)
				continue
			}
			return fmt.Errorf("%w: starts with byte 0x%X", ErrNotJSON, b[0])
		case b[0] == '{' || b[0] == '[':
			return nil
		case b[0] == '<':
			head, _ := br.Peek(512)
			low := strings.ToLower(string(head))
			what := "HTML or XML"
			if strings.Contains(low, "login") || strings.Contains(low, "sign in") || strings.Contains(low, "password") {
				what = "an HTML login page"
			} else if strings.Contains(low, "<html") || strings.Contains(low, "<!doctype html") {
				what = "an HTML page"
			}
			return fmt.Errorf("%w: the server sent %s", ErrNotJSON, what)
		default:
			head, _ := br.Peek(40)
			return fmt.Errorf("%w: starts with %q", ErrNotJSON, head)
		}
	}
}

// DecodeObject reads one JSON object document (e.g. /services/{id}).
func DecodeObject(r io.Reader, v any) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if err := sniffJSON(br); err != nil {
		return err
	}
	return typeErrorOnly(json.NewDecoder(br).Decode(v))
}

// FieldError: a field had the wrong JSON type. The rest of the object was
// decoded; the field's value stays in the raw document.
type FieldError struct {
	Field, Msg string
}

func (e *FieldError) Error() string { return fmt.Sprintf("field %s: %s", e.Field, e.Msg) }

// DecodeService decodes one served service. A *FieldError leaves the rest
// of the service decoded.
func DecodeService(raw []byte, s *Service) error {
	return typeErrorOnly(json.Unmarshal(raw, s))
}

func orNum(a, b Num) Num {
	if a.OK {
		return a
	}
	return b
}

func orFlag(a, b Flag) Flag {
	if a.OK {
		return a
	}
	return b
}
