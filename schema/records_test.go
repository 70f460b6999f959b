package schema

import "testing"

func TestServiceHasContact(t *testing.T) {
	phone := []Phone{{ID: "p", Number: "023 9284 1000"}}
	for _, tc := range []struct {
		name string
		s    Service
		want bool
	}{
		{"nothing", Service{ID: "s", Name: "Club"}, false},
		{"email", Service{Email: "club@example.org"}, true},
		{"website", Service{URL: "https://club.example.org/"}, true},
		{"phone", Service{Phones: phone}, true},
		{"contact's phone", Service{Contacts: []Contact{{ID: "c", Phones: phone}}}, true},
		{"contact with a name only", Service{Contacts: []Contact{{ID: "c", Name: "Sam"}}}, false},
		{"location's phone", Service{ServiceAtLocations: []ServiceAtLocation{{ID: "sal", Phones: phone}}}, true},
		{"organisation's website", Service{Organization: &Organization{ID: "o", Website: "https://org.example.org/"}}, true},
		{"organisation without contact", Service{Organization: &Organization{ID: "o", Name: "Org"}}, false},
	} {
		if got := tc.s.HasContact(); got != tc.want {
			t.Errorf("%s: HasContact() = %v, want %v", tc.name, got, tc.want)
		}
	}
}
