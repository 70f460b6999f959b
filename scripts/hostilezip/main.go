// Command hostilezip writes the trust-boundary test package of issue 11: a
// small zip whose services table inflates to about 16 MB and is declared
// three times in datapackage.json. With -distinct the table is stored as
// three entries (each inflated and read); by default the three resources
// name one entry. scripts/datapackage-rss.sh measures a run over it.
package main

import (
	"archive/zip"
	"bufio"
	"flag"
	"fmt"
	"os"
)

func main() {
	distinct := flag.Bool("distinct", false, "store the table as three entries")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: hostilezip [-distinct] OUT.zip")
		os.Exit(2)
	}
	if err := write(flag.Arg(0), *distinct); err != nil {
		fmt.Fprintln(os.Stderr, "hostilezip:", err)
		os.Exit(1)
	}
}

func write(path string, distinct bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	names := []string{"services.csv", "services.csv", "services.csv"}
	if distinct {
		names = []string{"a/services.csv", "b/services.csv", "c/services.csv"}
	}
	w, err := zw.Create("datapackage.json")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, `{"resources":[{"name":"services","path":%q},{"name":"services","path":%q},{"name":"services","path":%q}]}`, names[0], names[1], names[2])
	written := map[string]bool{}
	for _, n := range names {
		if written[n] {
			continue
		}
		written[n] = true
		w, err := zw.Create(n)
		if err != nil {
			return err
		}
		bw := bufio.NewWriter(w)
		fmt.Fprintln(bw, "id,organization_id,name,description,status,email,url")
		for i, size := 0, 0; size < 16<<20; i++ {
			k, _ := fmt.Fprintf(bw, "svc-%07d,org-%04d,Short breaks for disabled children %d,\"Play and youth sessions for children and young people with SEND, term time and school holidays, with trained staff.\",active,send@example.org,https://example.org/services/%d\n", i, i%500, i, i)
			size += k
		}
		if err := bw.Flush(); err != nil {
			return err
		}
	}
	return zw.Close()
}
