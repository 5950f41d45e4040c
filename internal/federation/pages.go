package federation

import (
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// Read-only views the coordinators' pages need beyond what the API lists.

// RemovalPlan says what Remove would do, changing nothing: the practices that would go
// with the peer and how many stay, followed through another peer. The page asks with
// it before removing.
func (s *Service) RemovalPlan(name string) (Removal, error) {
	plan := Removal{Peer: name, Removed: []string{}}
	err := s.store.View(func(tx *store.Tx) error {
		if _, err := getPeer(tx, name); err != nil {
			return err
		}
		return tx.EachPractice(func(p *practices.Practice) error {
			if p.Origin == nil || p.Origin.Peer != name {
				return nil
			}
			if _, ok := otherSource(tx, p.URI, name); ok {
				plan.Repinned++
			} else {
				plan.Removed = append(plan.Removed, p.ID)
			}
			return nil
		})
	})
	return plan, err
}

// QueuedPractice returns the harvested practice waiting for review under the id it will
// take.
func (s *Service) QueuedPractice(id string) (*practices.Practice, error) {
	var p *practices.Practice
	err := s.store.View(func(tx *store.Tx) error {
		var err error
		p, err = queuedByID(tx, id)
		return err
	})
	return p, err
}

// Duplicate returns the flag of two practices, named by their local ids, in any state.
func (s *Service) Duplicate(id, heldID string) (*Duplicate, error) {
	var d *Duplicate
	err := s.store.View(func(tx *store.Tx) error {
		var err error
		d, _, err = findDuplicate(tx, id, heldID)
		return err
	})
	return d, err
}
