// Command probe GETs one URL through net/http's default proxy logic
// (http.ProxyFromEnvironment, i.e. golang.org/x/net/http/httpproxy) and
// prints one line: "proxy=<URL or none> ok=<status>" or "... err=<error>".
// It is the stand-in for dockerd, containerd, buildkitd, the docker CLI,
// nerdctl and colima, which all resolve their proxy this way.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: probe URL")
		os.Exit(2)
	}
	req, err := http.NewRequest("GET", os.Args[1], nil)
	if err != nil {
		fmt.Println("err=" + err.Error())
		os.Exit(1)
	}
	proxy := "none"
	if u, err := http.ProxyFromEnvironment(req); err != nil {
		proxy = "error:" + err.Error()
	} else if u != nil {
		proxy = u.String()
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Printf("proxy=%s err=%v\n", proxy, err)
		os.Exit(1)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	fmt.Printf("proxy=%s ok=%d\n", proxy, resp.StatusCode)
}
