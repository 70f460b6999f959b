package hsdsmap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
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
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return DecodePageBytes[T](b)
}

// DecodePageBytes reads one list page from its bytes (UTF-8), as DecodePage.
// Services and taxonomy terms are decoded by the fast reader (decode.go);
// other item types by encoding/json.
func DecodePageBytes[T any](b []byte) (*Page[T], error) {
	switch any((*T)(nil)).(type) {
	case *Service:
		p, err := decodePage[Service](b)
		return any(p).(*Page[T]), err
	case *TaxonomyTerm:
		p, err := decodePage[TaxonomyTerm](b)
		return any(p).(*Page[T]), err
	}
	return decodePageStd[T](b)
}

func decodePage[T any, PT interface {
	*T
	object
}](b []byte) (*Page[T], error) {
	b, err := sniffBytes(b)
	if err != nil {
		return nil, err
	}
	d := &dec{b: b}
	if b[0] == '[' {
		var items []T
		decodeSlice[T, PT](d, &items, "")
		if d.err != nil {
			return nil, d.err
		}
		if d.field != nil {
			return &Page[T]{Items: items, Bare: true}, d.field
		}
		return &Page[T]{Items: items, Bare: true}, nil
	}
	var pj pageJSON[T]
	d.decodeObject(pageObject[T, PT]{&pj})
	if d.err != nil {
		return nil, d.err
	}
	p, err := pj.page()
	if err == nil && d.field != nil {
		err = d.field
	}
	return p, err
}

// pageObject decodes a page's members into a pageJSON.
type pageObject[T any, PT interface {
	*T
	object
}] struct{ pj *pageJSON[T] }

func (o pageObject[T, PT]) member(d *dec, key []byte) bool {
	pj := o.pj
	switch string(key) {
	case "total_items":
		d.num(&pj.TotalItems)
	case "totalElements", "totalelements":
		d.num(&pj.TotalElements)
	case "total_pages":
		d.num(&pj.TotalPages)
	case "totalPages", "totalpages":
		d.num(&pj.TotalPagesV1)
	case "page_number":
		d.num(&pj.PageNumber)
	case "number":
		d.num(&pj.Number)
	case "size":
		d.num(&pj.Size)
	case "first_page":
		d.flag(&pj.FirstPage)
	case "first":
		d.flag(&pj.First)
	case "last_page":
		d.flag(&pj.LastPage)
	case "last":
		d.flag(&pj.Last)
	case "empty":
		d.flag(&pj.Empty)
	case "contents":
		if pj.Contents == nil && d.peek() == '[' {
			pj.Contents = reusedItems[T]()
		}
		decodeSlice[T, PT](d, &pj.Contents, "contents")
	case "content":
		decodeSlice[T, PT](d, &pj.Content, "content")
	default:
		return false
	}
	return true
}

// servicePages holds the item arrays of released service pages (*[]Service,
// cleared): a walk decodes one 100-service page after another, and growing
// each page's array from nothing allocated two and a half times its 72 KB.
var servicePages sync.Pool

// reusedItems is a released page's array for a page being decoded (empty,
// not nil), or nil when there is none or T is not Service.
func reusedItems[T any]() []T {
	if _, ok := any((*T)(nil)).(*Service); !ok {
		return nil
	}
	sp, _ := servicePages.Get().(*[]Service)
	if sp == nil {
		return nil
	}
	return any((*sp)[:0]).([]T)
}

// maxReusedItems bounds the arrays kept for reuse (a page of 1,000
// services is 720 KB).
const maxReusedItems = 1000

// Release hands the page's item array back for the next page to be decoded
// into; Items is nil afterwards. Call it only when nothing refers to the
// items any more (they are cleared and overwritten).
func (p *Page[T]) Release() {
	items, ok := any(p.Items).([]Service)
	p.Items = nil
	if !ok || cap(items) == 0 || cap(items) > maxReusedItems {
		return
	}
	clear(items[:cap(items)])
	items = items[:0]
	servicePages.Put(&items)
}

// decodePageStd is DecodePageBytes by encoding/json, for item types the
// fast reader does not know.
func decodePageStd[T any](b []byte) (*Page[T], error) {
	b, err := sniffBytes(b)
	if err != nil {
		return nil, err
	}
	if b[0] == '[' {
		var items []T
		err := typeErrorOnly(json.NewDecoder(bytes.NewReader(b)).Decode(&items))
		if err != nil && !isFieldError(err) {
			return nil, err
		}
		return &Page[T]{Items: items, Bare: true}, err
	}
	var pj pageJSON[T]
	err = typeErrorOnly(json.NewDecoder(bytes.NewReader(b)).Decode(&pj))
	if err != nil && !isFieldError(err) {
		return nil, err
	}
	p, perr := pj.page()
	if perr != nil {
		return nil, perr
	}
	return p, err
}

// page is the page a decoded envelope describes, in either shape.
func (pj *pageJSON[T]) page() (*Page[T], error) {
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
	return p, nil
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

// sniffBytes rejects bodies that are plainly not JSON (HTML, empty) with a
// message that says what they look like, and returns b from its first
// bracket (leading space and a byte order mark dropped).
func sniffBytes(b []byte) ([]byte, error) {
	for {
		if len(b) == 0 {
			return nil, fmt.Errorf("%w: empty body", ErrNotJSON)
		}
		switch c := b[0]; {
		case c == ' ' || c == '\n' || c == '\r' || c == '\t':
			b = b[1:]
		case c == 0xEF:
			if bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
				b = b[3:]
				continue
			}
			return nil, fmt.Errorf("%w: starts with byte 0x%X", ErrNotJSON, c)
		case c == '{' || c == '[':
			return b, nil
		case c == '<':
			low := strings.ToLower(string(b[:min(len(b), 512)]))
			what := "HTML or XML"
			if strings.Contains(low, "login") || strings.Contains(low, "sign in") || strings.Contains(low, "password") {
				what = "an HTML login page"
			} else if strings.Contains(low, "<html") || strings.Contains(low, "<!doctype html") {
				what = "an HTML page"
			}
			return nil, fmt.Errorf("%w: the server sent %s", ErrNotJSON, what)
		default:
			return nil, fmt.Errorf("%w: starts with %q", ErrNotJSON, b[:min(len(b), 40)])
		}
	}
}

// DecodeObject reads one JSON object document (e.g. /services/{id}).
func DecodeObject(r io.Reader, v any) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if b, err = sniffBytes(b); err != nil {
		return err
	}
	if o, ok := v.(object); ok {
		// Like a json.Decoder, what follows the first value is not read.
		return decodeTop(b, o, false)
	}
	return typeErrorOnly(json.NewDecoder(bytes.NewReader(b)).Decode(v))
}

// decodeTop decodes one JSON value into o as encoding/json would; whole
// means nothing but space may follow it (json.Unmarshal).
func decodeTop(b []byte, o object, whole bool) error {
	// encoding/json checks the syntax before it stores anything; so does
	// this (a cheap pass), so a broken document leaves o untouched.
	d := &dec{b: b}
	d.skip()
	if whole && d.err == nil && d.peek() != 0 {
		d.syntax("invalid character after top-level value")
	}
	if d.err != nil {
		return d.err
	}
	d = &dec{b: b}
	switch c := d.peek(); c {
	case '{':
		d.decodeObject(o)
	case 'n':
		d.literal("null")
	case 0:
		d.syntax("unexpected end of input")
	default:
		d.wrongType(kindOf(c), reflect.TypeOf(o).Elem())
	}
	if d.field != nil {
		return d.field
	}
	return nil
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
	return decodeTop(raw, s, true)
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
