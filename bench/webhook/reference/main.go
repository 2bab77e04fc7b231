// The reference receiver of the webhook throughput benchmark: what a careful GitHub push receiver
// written with Go's standard library alone does for one AutoBuild, in autobuild-webhook's order of work
// (docs/webhook.md): find the hook by the path's id, check the content type, verify X-Hub-Signature-256
// (HMAC-SHA256 of the raw body, constant-time comparison), parse the payload into structs, filter
// (event, ref, repository, branch, keyword), check the delivery id against the ones seen, and answer the
// same small JSON. It has no Kubernetes side: a push that passes every check is answered 202 at once.
package main

import (
	"container/list"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

const maxBodyBytes = 3 << 20

type hook struct {
	autobuild  string // "<namespace>/<name>"
	secret     []byte
	repository string
	branches   []string
	keyword    string
}

type person struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Username string `json:"username"`
}

type commit struct {
	ID        string   `json:"id"`
	TreeID    string   `json:"tree_id"`
	Distinct  bool     `json:"distinct"`
	Message   string   `json:"message"`
	Timestamp string   `json:"timestamp"`
	URL       string   `json:"url"`
	Author    person   `json:"author"`
	Committer person   `json:"committer"`
	Added     []string `json:"added"`
	Removed   []string `json:"removed"`
	Modified  []string `json:"modified"`
}

type pushPayload struct {
	Ref        string `json:"ref"`
	Before     string `json:"before"`
	After      string `json:"after"`
	Created    bool   `json:"created"`
	Deleted    bool   `json:"deleted"`
	Forced     bool   `json:"forced"`
	Compare    string `json:"compare"`
	Repository struct {
		ID            int64  `json:"id"`
		Name          string `json:"name"`
		FullName      string `json:"full_name"`
		Private       bool   `json:"private"`
		HTMLURL       string `json:"html_url"`
		CloneURL      string `json:"clone_url"`
		DefaultBranch string `json:"default_branch"`
	} `json:"repository"`
	Pusher struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"pusher"`
	Sender struct {
		Login string `json:"login"`
		ID    int64  `json:"id"`
	} `json:"sender"`
	Commits    []commit `json:"commits"`
	HeadCommit *commit  `json:"head_commit"`
}

type answer struct {
	Result    string `json:"result"`
	Reason    string `json:"reason"`
	Message   string `json:"message"`
	AutoBuild string `json:"autobuild,omitempty"`
	Revision  string `json:"revision,omitempty"`
}

// The delivery ids seen lately, least recently seen forgotten first, as autobuild-webhook keeps them.
type deliveryLog struct {
	mu       sync.Mutex
	capacity int
	order    *list.List
	seen     map[string]*list.Element
}

func newDeliveryLog(capacity int) *deliveryLog {
	return &deliveryLog{capacity: capacity, order: list.New(), seen: make(map[string]*list.Element)}
}

// record reports whether id is new, and remembers it.
func (l *deliveryLog) record(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.seen[id]; ok {
		l.order.MoveToFront(e)
		return false
	}
	if l.order.Len() == l.capacity {
		oldest := l.order.Back()
		delete(l.seen, oldest.Value.(string))
		l.order.Remove(oldest)
	}
	l.seen[id] = l.order.PushFront(id)
	return true
}

type receiver struct {
	hooks      map[string]*hook
	deliveries *deliveryLog
}

func reply(w http.ResponseWriter, code int, a answer) {
	body, err := json.Marshal(a)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(body)
}

func rejected(w http.ResponseWriter, code int, reason, message string) {
	reply(w, code, answer{Result: "Rejected", Reason: reason, Message: message})
}

func validSignature(secret, body []byte, header string) bool {
	const prefix = "sha256="
	if !strings.HasPrefix(strings.ToLower(header), prefix) {
		return false
	}
	provided, err := hex.DecodeString(header[len(prefix):])
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(provided, mac.Sum(nil))
}

func branchMatches(patterns []string, branch string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, branch); ok {
			return true
		}
	}
	return false
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, ok := rc.hooks[strings.TrimPrefix(r.URL.Path, "/hooks/")]
	if !ok {
		rejected(w, http.StatusNotFound, "NotFound", "no webhook at this URL")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		rejected(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "method "+r.Method+" is not allowed")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		rejected(w, http.StatusUnsupportedMediaType, "UnsupportedMediaType", "Content-Type \""+ct+"\" is not accepted")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			rejected(w, http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request body too large")
			return
		}
		rejected(w, http.StatusBadRequest, "BadRequest", "cannot read the body: "+err.Error())
		return
	}
	if !validSignature(h.secret, body, r.Header.Get("X-Hub-Signature-256")) {
		rejected(w, http.StatusUnauthorized, "Unauthorized", "the request's signature does not match the secret")
		return
	}
	ignored := func(reason, message, revision string) {
		reply(w, http.StatusOK, answer{"Ignored", reason, message, h.autobuild, revision})
	}
	switch r.Header.Get("X-GitHub-Event") {
	case "push":
	case "ping":
		ignored("Ping", "ping received", "")
		return
	case "":
		rejected(w, http.StatusBadRequest, "BadRequest", "missing header X-GitHub-Event")
		return
	default:
		ignored("EventNotHandled", "only pushes to a branch trigger", "")
		return
	}
	delivery := r.Header.Get("X-GitHub-Delivery")
	if delivery == "" {
		rejected(w, http.StatusBadRequest, "BadRequest", "missing header X-GitHub-Delivery")
		return
	}
	var push pushPayload
	if err := json.Unmarshal(body, &push); err != nil {
		rejected(w, http.StatusBadRequest, "BadRequest", "body is not valid JSON: "+err.Error())
		return
	}
	if !strings.HasPrefix(push.Ref, "refs/heads/") || push.Deleted {
		ignored("EventNotHandled", "only pushes to a branch trigger", "")
		return
	}
	head := push.HeadCommit
	if head == nil && len(push.Commits) > 0 {
		head = &push.Commits[len(push.Commits)-1]
	}
	revision := push.After
	message := ""
	if head != nil {
		revision, message = head.ID, head.Message
	}
	if h.repository != "" && !strings.EqualFold(push.Repository.FullName, h.repository) {
		ignored("RepositoryMismatch", "the push is to "+push.Repository.FullName+", not "+h.repository, revision)
		return
	}
	branch := strings.TrimPrefix(push.Ref, "refs/heads/")
	if !branchMatches(h.branches, branch) {
		ignored("BranchNotMatched", "branch "+branch+" matches none of the AutoBuild's branches", revision)
		return
	}
	if h.keyword != "" && !strings.Contains(message, "@"+h.keyword) {
		ignored("KeywordAbsent", "the head commit message does not contain @"+h.keyword, revision)
		return
	}
	if !rc.deliveries.record(delivery) {
		ignored("Duplicate", "delivery "+delivery+" was handled already", revision)
		return
	}
	reply(w, http.StatusAccepted, answer{"RolledOut", "RolledOut", "accepted", h.autobuild, revision})
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8090", "address to listen on")
	hookID := flag.String("hook-id", "", "the webhook id served at /hooks/<id>")
	secret := flag.String("secret", "", "the webhook secret")
	autobuild := flag.String("autobuild", "bench/web", "namespace/name named in answers")
	repository := flag.String("repository", "acme/web", "owner/name the push must come from")
	keyword := flag.String("keyword", "deploy", "the head commit message must contain @<keyword>")
	flag.Parse()
	if *hookID == "" || *secret == "" {
		log.Fatal("-hook-id and -secret are required")
	}
	rc := &receiver{
		hooks: map[string]*hook{*hookID: {
			autobuild:  *autobuild,
			secret:     []byte(*secret),
			repository: *repository,
			branches:   []string{"main", "master"},
			keyword:    *keyword,
		}},
		deliveries: newDeliveryLog(10000),
	}
	mux := http.NewServeMux()
	mux.Handle("/hooks/", rc)
	// The limits autobuild-webhook applies (SPEC section 3), so both pay for their timers.
	server := &http.Server{
		Addr:              *listen,
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	log.Fatal(server.ListenAndServe())
}
