package federation_test

import (
	"slices"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/federation"
)

// The plan a page asks with is what the removal then does, and asking changes nothing.
func TestRemovalPlanIsWhatRemoveDoes(t *testing.T) {
	a, c, b := newNode(t, "a", 3, nil), newNode(t, "c", 2, nil), newNode(t, "b", 0, nil)
	c.peer(t, a, federation.PolicyPublish)
	c.sync(t, "a")
	// b takes everything through c first, then from a too: a's three stay with a.
	b.peer(t, c, federation.PolicyPublish)
	b.sync(t, "c")
	b.peer(t, a, federation.PolicyPublish)
	b.sync(t, "a")
	plan, err := b.app.Peers.RemovalPlan("c")
	if err != nil || len(plan.Removed) != 2 || plan.Repinned != 3 || plan.Done {
		t.Fatalf("plan %+v %v", plan, err)
	}
	if _, err := b.app.Peers.Peer("c"); err != nil {
		t.Fatalf("asking removed the peer: %v", err)
	}
	done, err := b.app.Peers.Remove(t.Context(), "c", len(plan.Removed))
	slices.Sort(plan.Removed)
	slices.Sort(done.Removed)
	if err != nil || !slices.Equal(done.Removed, plan.Removed) || done.Repinned != plan.Repinned {
		t.Fatalf("the plan %+v, the removal %+v %v", plan, done, err)
	}
}
