package deploy_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
)

// readVerbs are the only verbs negtrace may have.
var readVerbs = []string{"get", "list", "watch"}

// wantAccess is what negtrace's informers read: group/resource, each with
// exactly readVerbs.
var wantAccess = []string{"/events", "/pods", "/services", "discovery.k8s.io/endpointslices"}

func TestRBACIsReadOnly(t *testing.T) {
	forEachBuild(t, func(t *testing.T, objs []object) {
		d := decodeAll(t, objs)
		if len(d.roles) > 0 || len(d.roleBindings) > 0 {
			t.Errorf("unexpected Roles or RoleBindings: %d, %d", len(d.roles), len(d.roleBindings))
		}
		if len(d.clusterRoles) != 1 || len(d.clusterBindings) != 1 {
			t.Fatalf("want one ClusterRole and one ClusterRoleBinding, got %d and %d", len(d.clusterRoles), len(d.clusterBindings))
		}
		role := d.clusterRoles[0]
		if role.AggregationRule != nil {
			t.Errorf("ClusterRole %s aggregates other roles", role.Name)
		}
		var access []string
		for i, r := range role.Rules {
			if len(r.NonResourceURLs) > 0 {
				t.Errorf("rule %d: non-resource URLs %v", i, r.NonResourceURLs)
			}
			for _, v := range r.Verbs {
				if !slices.Contains(readVerbs, v) {
					t.Errorf("rule %d: verb %q is not read-only (want only %v)", i, v, readVerbs)
				}
			}
			if v := slices.Sorted(slices.Values(r.Verbs)); !slices.Equal(v, readVerbs) {
				t.Errorf("rule %d: verbs %v, want %v", i, r.Verbs, readVerbs)
			}
			for _, g := range r.APIGroups {
				for _, res := range r.Resources {
					if g == rbacv1.APIGroupAll || res == rbacv1.ResourceAll || slices.Contains(r.Verbs, rbacv1.VerbAll) {
						t.Errorf("rule %d: wildcard in %v %v %v", i, r.APIGroups, r.Resources, r.Verbs)
					}
					access = append(access, g+"/"+res)
				}
			}
		}
		slices.Sort(access)
		if diff := cmp.Diff(wantAccess, access); diff != "" {
			t.Errorf("ClusterRole %s resources (-want +got):\n%s", role.Name, diff)
		}

		// The binding gives that role, and only to negtrace's ServiceAccount.
		b := d.clusterBindings[0]
		if b.RoleRef != (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name}) {
			t.Errorf("ClusterRoleBinding %s binds %+v, want ClusterRole %s", b.Name, b.RoleRef, role.Name)
		}
		if len(d.serviceAccounts) != 1 {
			t.Fatalf("%d ServiceAccounts, want 1", len(d.serviceAccounts))
		}
		sa := d.serviceAccounts[0]
		wantSubjects := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa.Name, Namespace: sa.Namespace}}
		if diff := cmp.Diff(wantSubjects, b.Subjects); diff != "" {
			t.Errorf("ClusterRoleBinding %s subjects (-want +got):\n%s", b.Name, diff)
		}
		if dep := d.deployments[0]; dep.Spec.Template.Spec.ServiceAccountName != sa.Name || dep.Namespace != sa.Namespace {
			t.Errorf("Deployment runs as %s/%s, want the bound ServiceAccount %s/%s", dep.Namespace, dep.Spec.Template.Spec.ServiceAccountName, sa.Namespace, sa.Name)
		}
	})
}
