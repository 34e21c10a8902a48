# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
# distutils: language = c++
"""Contraction hierarchies: construction, point-to-point and many-to-many queries, snapping.

Compiled (Cython, C++) because every step is a tight loop over small heaps and adjacency
lists. Everything here takes and returns numpy arrays; the arrays of a built hierarchy are
read-only and may be memory-mapped from the routing cache.

Construction (:func:`contract`) returns, for ``A`` arcs and ``N`` nodes (ranks are
contraction order):

- ``arc_tail``, ``arc_head`` (int32), ``arc_weight`` (float64, seconds), ``arc_length``
  (float64, metres): every arc, original or shortcut;
- ``arc_first`` (int32): for a shortcut ``x → y`` via ``m``, the arc ``x → m``; for an
  original arc, ``-1 - edge`` where ``edge`` is the input edge index; ``arc_second``: the arc
  ``m → y`` of a shortcut (unused for an original arc);
- ``up_first``/``up_arc``: CSR over nodes of the arcs leaving a node toward higher ranks
  (forward search); ``down_first``/``down_arc``: CSR of the arcs entering a node from higher
  ranks (backward search).

:class:`Hierarchy` searches these arrays once laid out by
:func:`routing.graph.search_layout` (renumbered for locality; see there).
"""

import numpy as np
cimport numpy as cnp
from libc.math cimport INFINITY, M_PI, cos, floor, sqrt
from libcpp.vector cimport vector
from libcpp.pair cimport pair
from libcpp.queue cimport priority_queue
from libcpp.algorithm cimport sort

cnp.import_array()

ctypedef pair[double, int] QItem  # (-distance, node): std::priority_queue is a max-heap


cdef struct Adj:
    int node
    int arc
    double weight


cdef struct ArcRec:
    int tail
    int head
    double weight
    double length
    int first
    int second


# -- construction --------------------------------------------------------------------------

# Witness searches are bounded (settled nodes, hops): a missed witness only adds a needless
# shortcut, never a wrong distance.
cdef int SIMULATE_SETTLES = 30
cdef int SIMULATE_HOPS = 3
cdef int CONTRACT_SETTLES = 300
cdef int CONTRACT_HOPS = 8
# Neighbours of a contracted node get their priority recomputed at once only while their
# degree is small; in the dense core the lazy update (on pop) is enough and much cheaper.
cdef size_t NEIGHBOUR_UPDATE_DEGREE = 24


cdef class _Contractor:
    cdef int n
    cdef vector[vector[Adj]] out_adj
    cdef vector[vector[Adj]] in_adj
    cdef vector[ArcRec] arcs
    cdef vector[char] contracted
    cdef vector[int] deleted_neighbours
    cdef vector[int] level
    cdef vector[double] dist
    cdef vector[int] touched
    cdef vector[int] target_mark
    cdef vector[int] hop
    cdef int stamp
    cdef vector[int] rank
    cdef vector[vector[int]] up_lists
    cdef vector[vector[int]] down_lists

    def __init__(self, int n):
        self.n = n
        self.out_adj.resize(n)
        self.in_adj.resize(n)
        self.contracted.assign(n, 0)
        self.deleted_neighbours.assign(n, 0)
        self.level.assign(n, 0)
        self.target_mark.assign(n, -1)
        self.hop.assign(n, 0)
        self.stamp = 0
        self.dist.assign(n, INFINITY)
        self.rank.assign(n, -1)
        self.up_lists.resize(n)
        self.down_lists.resize(n)

    cdef int add_arc(self, int tail, int head, double weight, double length, int first,
                     int second):
        cdef ArcRec rec
        rec.tail = tail
        rec.head = head
        rec.weight = weight
        rec.length = length
        rec.first = first
        rec.second = second
        self.arcs.push_back(rec)
        return <int>self.arcs.size() - 1

    cdef void link(self, int tail, int head, int arc, double weight):
        """Insert or improve the current arc tail → head."""
        cdef size_t i
        cdef Adj a
        for i in range(self.out_adj[tail].size()):
            if self.out_adj[tail][i].node == head:
                if weight < self.out_adj[tail][i].weight:
                    self.out_adj[tail][i].weight = weight
                    self.out_adj[tail][i].arc = arc
                    for j in range(self.in_adj[head].size()):
                        if self.in_adj[head][j].node == tail:
                            self.in_adj[head][j].weight = weight
                            self.in_adj[head][j].arc = arc
                            break
                return
        a.node = head
        a.arc = arc
        a.weight = weight
        self.out_adj[tail].push_back(a)
        a.node = tail
        self.in_adj[head].push_back(a)

    cdef void drop(self, vector[Adj]& adj, int node):
        cdef size_t i = 0
        while i < adj.size():
            if adj[i].node == node:
                adj[i] = adj.back()
                adj.pop_back()
            else:
                i += 1

    cdef void witness(self, int source, int skip, double limit, int settle_limit,
                      int targets, int max_hops):
        """Dijkstra from ``source`` avoiding ``skip`` and contracted nodes, up to ``limit``."""
        cdef priority_queue[QItem] heap
        cdef int settled = 0, x, y
        cdef double d, nd
        cdef size_t i
        for i in range(self.touched.size()):
            self.dist[self.touched[i]] = INFINITY
        self.touched.clear()
        self.dist[source] = 0.0
        self.hop[source] = 0
        self.touched.push_back(source)
        heap.push(QItem(-0.0, source))
        while not heap.empty():
            d = -heap.top().first
            x = heap.top().second
            heap.pop()
            if d > self.dist[x]:
                continue
            if d > limit:
                break
            settled += 1
            if settled > settle_limit:
                break
            if self.target_mark[x] == self.stamp:
                targets -= 1
                if targets <= 0:
                    break
            if self.hop[x] >= max_hops:
                continue
            for i in range(self.out_adj[x].size()):
                y = self.out_adj[x][i].node
                if y == skip or self.contracted[y]:
                    continue
                nd = d + self.out_adj[x][i].weight
                if nd < self.dist[y]:
                    if self.dist[y] == INFINITY:
                        self.touched.push_back(y)
                    self.dist[y] = nd
                    self.hop[y] = self.hop[x] + 1
                    heap.push(QItem(-nd, y))

    cdef int simulate(self, int v, bint apply, int settle_limit, int max_hops):
        """Shortcuts needed to contract ``v``; added to the graph when ``apply``."""
        cdef size_t i, j
        cdef int u, w, count = 0, arc
        cdef double limit, via, wu
        cdef vector[Adj] ins = self.in_adj[v]
        cdef vector[Adj] outs = self.out_adj[v]
        cdef double max_out = 0.0
        cdef int targets = 0
        self.stamp += 1
        for j in range(outs.size()):
            if not self.contracted[outs[j].node]:
                if self.target_mark[outs[j].node] != self.stamp:
                    self.target_mark[outs[j].node] = self.stamp
                    targets += 1
                if outs[j].weight > max_out:
                    max_out = outs[j].weight
        for i in range(ins.size()):
            u = ins[i].node
            if self.contracted[u]:
                continue
            wu = ins[i].weight
            limit = wu + max_out
            self.witness(u, v, limit, settle_limit, targets, max_hops)
            for j in range(outs.size()):
                w = outs[j].node
                if w == u or self.contracted[w]:
                    continue
                via = wu + outs[j].weight
                if self.dist[w] <= via:
                    continue
                count += 1
                if apply:
                    arc = self.add_arc(u, w, via,
                                       self.arcs[ins[i].arc].length + self.arcs[outs[j].arc].length,
                                       ins[i].arc, outs[j].arc)
                    self.link(u, w, arc, via)
        return count

    cdef double priority(self, int v):
        cdef int degree = 0
        cdef size_t i
        for i in range(self.in_adj[v].size()):
            if not self.contracted[self.in_adj[v][i].node]:
                degree += 1
        for i in range(self.out_adj[v].size()):
            if not self.contracted[self.out_adj[v][i].node]:
                degree += 1
        cdef int shortcuts = self.simulate(v, False, SIMULATE_SETTLES, SIMULATE_HOPS)
        return 2.0 * (shortcuts - degree) + self.deleted_neighbours[v] + self.level[v]

    def run(self):
        cdef priority_queue[QItem] queue
        cdef vector[double] prio
        cdef int v, order = 0, x
        cdef double p
        cdef size_t i
        prio.resize(self.n)
        for v in range(self.n):
            prio[v] = self.priority(v)
            queue.push(QItem(-prio[v], v))
        while not queue.empty():
            v = queue.top().second
            p = -queue.top().first
            queue.pop()
            if self.contracted[v] or p != prio[v]:
                continue
            prio[v] = self.priority(v)  # lazy update
            if not queue.empty() and prio[v] > -queue.top().first:
                queue.push(QItem(-prio[v], v))
                continue
            self.simulate(v, True, CONTRACT_SETTLES, CONTRACT_HOPS)
            for i in range(self.out_adj[v].size()):
                if not self.contracted[self.out_adj[v][i].node]:
                    self.up_lists[v].push_back(self.out_adj[v][i].arc)
            for i in range(self.in_adj[v].size()):
                if not self.contracted[self.in_adj[v][i].node]:
                    self.down_lists[v].push_back(self.in_adj[v][i].arc)
            self.contracted[v] = 1
            self.rank[v] = order
            order += 1
            for i in range(self.out_adj[v].size()):
                x = self.out_adj[v][i].node
                if not self.contracted[x]:
                    self.deleted_neighbours[x] += 1
                    if self.level[v] + 1 > self.level[x]:
                        self.level[x] = self.level[v] + 1
                    if self.in_adj[x].size() + self.out_adj[x].size() <= NEIGHBOUR_UPDATE_DEGREE:
                        prio[x] = self.priority(x)
                        queue.push(QItem(-prio[x], x))
            for i in range(self.in_adj[v].size()):
                x = self.in_adj[v][i].node
                if not self.contracted[x]:
                    self.deleted_neighbours[x] += 1
                    if self.level[v] + 1 > self.level[x]:
                        self.level[x] = self.level[v] + 1
                    if self.in_adj[x].size() + self.out_adj[x].size() <= NEIGHBOUR_UPDATE_DEGREE:
                        prio[x] = self.priority(x)
                        queue.push(QItem(-prio[x], x))
            # drop the arcs to v from its neighbours, free v's adjacency
            for i in range(self.out_adj[v].size()):
                self.drop(self.in_adj[self.out_adj[v][i].node], v)
            for i in range(self.in_adj[v].size()):
                self.drop(self.out_adj[self.in_adj[v][i].node], v)
            self.out_adj[v].clear()
            self.out_adj[v].shrink_to_fit()
            self.in_adj[v].clear()
            self.in_adj[v].shrink_to_fit()


def contract(int node_count, const int[::1] tail, const int[::1] head,
             const double[::1] weight, const double[::1] length):
    """Build a contraction hierarchy of a directed graph (no self-loops, no parallel arcs).

    Returns a dict of arrays (see the module docstring). ``arc_first < 0`` marks input arc
    ``-1 - arc_first``.
    """
    cdef _Contractor c = _Contractor(node_count)
    cdef Py_ssize_t i, m = tail.shape[0]
    cdef int arc
    for i in range(m):
        arc = c.add_arc(tail[i], head[i], weight[i], length[i], <int>(-1 - i), -1)
        c.link(tail[i], head[i], arc, weight[i])
    c.run()
    # keep only the arcs of the final search graph (children of kept shortcuts are kept too)
    cdef Py_ssize_t n = node_count, total = 0, k
    cdef vector[int] remap
    remap.assign(c.arcs.size(), -1)
    cdef int kept = 0
    for i in range(n):
        for k in range(<Py_ssize_t>c.up_lists[i].size()):
            if remap[c.up_lists[i][k]] < 0:
                remap[c.up_lists[i][k]] = kept
                kept += 1
        for k in range(<Py_ssize_t>c.down_lists[i].size()):
            if remap[c.down_lists[i][k]] < 0:
                remap[c.down_lists[i][k]] = kept
                kept += 1
    arc_tail = np.empty(kept, dtype=np.int32)
    arc_head = np.empty(kept, dtype=np.int32)
    arc_weight = np.empty(kept, dtype=np.float64)
    arc_length = np.empty(kept, dtype=np.float64)
    arc_first = np.empty(kept, dtype=np.int32)
    arc_second = np.empty(kept, dtype=np.int32)
    cdef int[::1] at = arc_tail, ah = arc_head, af = arc_first, asec = arc_second
    cdef double[::1] aw = arc_weight, al = arc_length
    cdef int old, new
    cdef ArcRec rec
    for old in range(<int>c.arcs.size()):
        new = remap[old]
        if new < 0:
            continue
        rec = c.arcs[old]
        at[new] = rec.tail
        ah[new] = rec.head
        aw[new] = rec.weight
        al[new] = rec.length
        if rec.first >= 0:
            if remap[rec.first] < 0 or remap[rec.second] < 0:
                raise RuntimeError("contraction lost a shortcut's child arc")
            af[new] = remap[rec.first]
            asec[new] = remap[rec.second]
        else:
            af[new] = rec.first
            asec[new] = -1
    up_first = np.zeros(n + 1, dtype=np.int32)
    down_first = np.zeros(n + 1, dtype=np.int32)
    cdef int[::1] uf = up_first, df = down_first
    for i in range(n):
        uf[i + 1] = uf[i] + <int>c.up_lists[i].size()
        df[i + 1] = df[i] + <int>c.down_lists[i].size()
    up_arc = np.empty(uf[n], dtype=np.int32)
    down_arc = np.empty(df[n], dtype=np.int32)
    cdef int[::1] ua = up_arc, da = down_arc
    for i in range(n):
        for k in range(<Py_ssize_t>c.up_lists[i].size()):
            ua[uf[i] + k] = remap[c.up_lists[i][k]]
        for k in range(<Py_ssize_t>c.down_lists[i].size()):
            da[df[i] + k] = remap[c.down_lists[i][k]]
    rank = np.asarray(<int[:n]>c.rank.data()).copy() if n else np.empty(0, dtype=np.int32)
    return {"arc_tail": arc_tail, "arc_head": arc_head, "arc_weight": arc_weight,
            "arc_length": arc_length, "arc_first": arc_first, "arc_second": arc_second,
            "up_first": up_first, "up_arc": up_arc, "down_first": down_first,
            "down_arc": down_arc, "rank": rank}


# -- queries -------------------------------------------------------------------------------

ctypedef pair[double, long long] SItem  # (-distance, input node << 32 | node)


cdef struct SearchArc:
    # one row of ``arc_search`` (four int32): what a search reads of an arc, in one place
    double weight
    int node        # the other end
    int input_node  # its input node id (ties between equal distances)


cdef inline long long _key(int input_node, int node) noexcept nogil:
    """Heap key: equal distances pop in the order of the *input* node ids, so a search
    visits nodes in the same order whatever the layout's numbering."""
    return ((<long long>input_node) << 32) | node


cdef class SearchState:
    """Distances and parents of the searches, reset through the touched lists after use.

    Sized to the largest hierarchy that used it: hierarchies whose searches never run at
    the same time (one engine's, behind its lock) share one instead of holding one each.
    """

    cdef vector[double] df
    cdef vector[double] db
    cdef vector[int] pf
    cdef vector[int] pb
    cdef vector[int] touched_f
    cdef vector[int] touched_b

    cdef void ensure(self, int n):
        if <int>self.df.size() < n:
            self.df.resize(n, INFINITY)
            self.db.resize(n, INFINITY)
            self.pf.resize(n, -1)
            self.pb.resize(n, -1)

    cdef void reset(self):
        cdef size_t i
        for i in range(self.touched_f.size()):
            self.df[self.touched_f[i]] = INFINITY
            self.pf[self.touched_f[i]] = -1
        for i in range(self.touched_b.size()):
            self.db[self.touched_b[i]] = INFINITY
            self.pb[self.touched_b[i]] = -1
        self.touched_f.clear()
        self.touched_b.clear()


cdef class Hierarchy:
    """Query side of a contraction hierarchy in its search layout
    (:func:`routing.graph.search_layout`), over (possibly memory-mapped) arrays. Takes and
    returns input node and edge ids. ``state`` may be shared by hierarchies never searched
    at the same time."""

    cdef const int[:, ::1] arc_search_view
    cdef const SearchArc* arcs
    cdef const double[::1] arc_length
    cdef const int[:, ::1] arc_child
    cdef const int[:, ::1] node_arcs
    cdef const int[::1] node_of
    cdef const int[::1] input_node
    cdef public int node_count
    cdef public double scale
    cdef SearchState st

    def __init__(self, arrays, double scale=1.0, SearchState state=None):
        self.st = state if state is not None else SearchState()
        self.arc_search_view = arrays["arc_search"]
        if self.arc_search_view.shape[1] != 4:
            raise ValueError("arc_search rows are (weight as two int32, node, input node)")
        self.arcs = <const SearchArc*>&self.arc_search_view[0, 0] if \
            self.arc_search_view.shape[0] else NULL
        self.arc_length = arrays["arc_length"]
        self.arc_child = arrays["arc_child"]
        self.node_arcs = arrays["node_arcs"]
        self.node_of = arrays["node_of"]
        self.input_node = arrays["input_node"]
        self.node_count = self.node_arcs.shape[0] - 1
        self.scale = scale

    cdef void _ensure(self):
        self.st.ensure(self.node_count)

    cdef void _reset(self):
        self.st.reset()

    cdef int _owner(self, int a):
        """The node whose arc list holds arc ``a`` (the lower end of the arc)."""
        cdef int lo = 0, hi = self.node_count, mid
        while hi - lo > 1:  # node_arcs[lo, 0] <= a < node_arcs[hi, 0]
            mid = (lo + hi) >> 1
            if self.node_arcs[mid, 0] <= a:
                lo = mid
            else:
                hi = mid
        return lo

    cdef void _step(self, priority_queue[SItem]& q, double d, int relax_lo, int relax_hi,
                    int stall_lo, int stall_hi, vector[double]& dist, vector[int]& parent,
                    vector[int]& touched):
        """A node settled at distance ``d`` by one search, with that search's distances:
        stalled when one of the arcs ``stall_lo:stall_hi`` (from higher ranks) gives a shorter
        way, else its arcs ``relax_lo:relax_hi`` (to higher ranks) are relaxed. The forward
        search relaxes a node's upward arcs and stalls on its downward ones; the backward
        search the other way round."""
        cdef int a, y
        cdef double nd
        for a in range(stall_lo, stall_hi):
            if dist[self.arcs[a].node] + self.arcs[a].weight < d:
                return
        for a in range(relax_lo, relax_hi):
            y = self.arcs[a].node
            nd = d + self.arcs[a].weight
            if nd < dist[y]:
                if dist[y] == INFINITY:
                    touched.push_back(y)
                dist[y] = nd
                parent[y] = a
                q.push(SItem(-nd, _key(self.arcs[a].input_node, y)))

    cdef int _search(self, int s, int t, double* best_out):
        """Bidirectional upward search; returns the meeting node or -1."""
        cdef priority_queue[SItem] qf, qb
        cdef double best = INFINITY, d
        cdef int meet = -1, x
        self._ensure()
        self._reset()
        self.st.df[s] = 0.0
        self.st.touched_f.push_back(s)
        self.st.db[t] = 0.0
        self.st.touched_b.push_back(t)
        qf.push(SItem(-0.0, _key(self.input_node[s], s)))
        qb.push(SItem(-0.0, _key(self.input_node[t], t)))
        if s == t:
            best_out[0] = 0.0
            return s
        while not qf.empty() or not qb.empty():
            if not qf.empty() and -qf.top().first >= best:
                while not qf.empty():
                    qf.pop()
            if not qb.empty() and -qb.top().first >= best:
                while not qb.empty():
                    qb.pop()
            if not qf.empty() and (qb.empty() or -qf.top().first <= -qb.top().first):
                d = -qf.top().first
                x = <int>(qf.top().second & 0xffffffff)
                qf.pop()
                if d > self.st.df[x]:
                    continue
                if self.st.db[x] + d < best:
                    best = self.st.db[x] + d
                    meet = x
                self._step(qf, d, self.node_arcs[x, 0], self.node_arcs[x, 1],
                           self.node_arcs[x, 1], self.node_arcs[x + 1, 0],
                           self.st.df, self.st.pf, self.st.touched_f)
            elif not qb.empty():
                d = -qb.top().first
                x = <int>(qb.top().second & 0xffffffff)
                qb.pop()
                if d > self.st.db[x]:
                    continue
                if self.st.df[x] + d < best:
                    best = self.st.df[x] + d
                    meet = x
                self._step(qb, d, self.node_arcs[x, 1], self.node_arcs[x + 1, 0],
                           self.node_arcs[x, 0], self.node_arcs[x, 1],
                           self.st.db, self.st.pb, self.st.touched_b)
        best_out[0] = best
        return meet

    cdef void _unpack(self, int a, vector[int]& out):
        cdef vector[int] stack
        stack.push_back(a)
        while not stack.empty():
            a = stack.back()
            stack.pop_back()
            if self.arc_child[a, 0] < 0:
                out.push_back(-1 - self.arc_child[a, 0])
            else:
                stack.push_back(self.arc_child[a, 1])  # second after first: LIFO
                stack.push_back(self.arc_child[a, 0])

    def path(self, int source, int target):
        """Input-edge indices of the shortest path ``source → target`` (input node ids;
        empty when they are the same), or None."""
        cdef double best
        cdef int s = self.node_of[source], t = self.node_of[target]
        cdef int meet = self._search(s, t, &best)
        if meet < 0:
            return None
        cdef vector[int] up, out
        cdef int x = meet, a
        while x != s:  # an upward arc is held by its tail
            a = self.st.pf[x]
            up.push_back(a)
            x = self._owner(a)
        cdef Py_ssize_t i
        for i in range(<Py_ssize_t>up.size() - 1, -1, -1):
            self._unpack(up[i], out)
        x = meet
        while x != t:  # a downward arc is held by its head
            a = self.st.pb[x]
            self._unpack(a, out)
            x = self._owner(a)
        result = np.empty(out.size(), dtype=np.int64)
        cdef long long[::1] r = result
        for i in range(<Py_ssize_t>out.size()):
            r[i] = out[i]
        return result

    def table(self, const int[::1] sources, const int[::1] targets):
        """Durations (scaled) and lengths of shortest paths, ``(S, T)`` (input node ids);
        inf = no path."""
        cdef Py_ssize_t ns = sources.shape[0], nt = targets.shape[0], i, j
        durations = np.full((ns, nt), np.inf)
        lengths = np.full((ns, nt), np.nan)
        cdef double[:, ::1] dur = durations, lng = lengths
        cdef vector[vector[int]] bucket_target
        cdef vector[vector[double]] bucket_dist
        cdef vector[vector[double]] bucket_len
        cdef vector[double] lf
        cdef priority_queue[SItem] q
        cdef double d, nd, total
        cdef int x, y, a, start
        cdef Py_ssize_t b
        self._ensure()
        lf.assign(self.node_count, 0.0)
        bucket_target.resize(self.node_count)
        bucket_dist.resize(self.node_count)
        bucket_len.resize(self.node_count)
        for j in range(nt):  # backward searches fill the buckets
            self._reset()
            start = self.node_of[targets[j]]
            self.st.db[start] = 0.0
            lf[start] = 0.0
            self.st.touched_b.push_back(start)
            q.push(SItem(-0.0, _key(self.input_node[start], start)))
            while not q.empty():
                d = -q.top().first
                x = <int>(q.top().second & 0xffffffff)
                q.pop()
                if d > self.st.db[x]:
                    continue
                bucket_target[x].push_back(<int>j)
                bucket_dist[x].push_back(d)
                bucket_len[x].push_back(lf[x])
                for a in range(self.node_arcs[x, 1], self.node_arcs[x + 1, 0]):
                    y = self.arcs[a].node
                    nd = d + self.arcs[a].weight
                    if nd < self.st.db[y]:
                        if self.st.db[y] == INFINITY:
                            self.st.touched_b.push_back(y)
                        self.st.db[y] = nd
                        lf[y] = lf[x] + self.arc_length[a]
                        q.push(SItem(-nd, _key(self.arcs[a].input_node, y)))
        for i in range(ns):  # forward searches scan them
            self._reset()
            start = self.node_of[sources[i]]
            self.st.df[start] = 0.0
            lf[start] = 0.0
            self.st.touched_f.push_back(start)
            q.push(SItem(-0.0, _key(self.input_node[start], start)))
            while not q.empty():
                d = -q.top().first
                x = <int>(q.top().second & 0xffffffff)
                q.pop()
                if d > self.st.df[x]:
                    continue
                for b in range(<Py_ssize_t>bucket_target[x].size()):
                    j = bucket_target[x][b]
                    total = d + bucket_dist[x][b]
                    if total < dur[i, j]:
                        dur[i, j] = total
                        lng[i, j] = lf[x] + bucket_len[x][b]
                for a in range(self.node_arcs[x, 0], self.node_arcs[x, 1]):
                    y = self.arcs[a].node
                    nd = d + self.arcs[a].weight
                    if nd < self.st.df[y]:
                        if self.st.df[y] == INFINITY:
                            self.st.touched_f.push_back(y)
                        self.st.df[y] = nd
                        lf[y] = lf[x] + self.arc_length[a]
                        q.push(SItem(-nd, _key(self.arcs[a].input_node, y)))
        self._reset()
        if self.scale != 1.0:
            durations *= self.scale
        return durations, lengths


# -- snapping ------------------------------------------------------------------------------


def nearest_latlon(const double[::1] xs, const double[::1] ys, const int[::1] cell_first,
                   const int[::1] cell_node, double x0, double y0, double cell_m, int nx,
                   int ny, double lat0, double earth_radius_m, const double[::1] lat,
                   const double[::1] lon):
    """:func:`nearest` for (lat, lon) points, projected as :func:`routing.network.project_m`."""
    cdef Py_ssize_t i, m = lat.shape[0]
    qx = np.empty(m)
    qy = np.empty(m)
    cdef double[::1] x = qx, y = qy
    cdef double k = cos(lat0 * (M_PI / 180.0))
    for i in range(m):
        x[i] = earth_radius_m * (lon[i] * (M_PI / 180.0)) * k
        y[i] = earth_radius_m * (lat[i] * (M_PI / 180.0))
    return nearest(xs, ys, cell_first, cell_node, x0, y0, cell_m, nx, ny, qx, qy)


def nearest(const double[::1] xs, const double[::1] ys, const int[::1] cell_first,
            const int[::1] cell_node, double x0, double y0, double cell_m, int nx, int ny,
            const double[::1] qx, const double[::1] qy):
    """Nearest indexed point to each query point in a uniform grid; ``(index, distance)``.

    ``cell_first`` is the CSR over cells (row-major, ``nx`` columns) of ``cell_node``, the
    indices into ``xs``/``ys`` of the points in each cell. Exact: rings of cells are scanned
    until the next ring cannot hold a closer point.
    """
    cdef Py_ssize_t q, m = qx.shape[0]
    out_idx = np.full(m, -1, dtype=np.int64)
    out_dist = np.full(m, np.inf)
    cdef long long[::1] oi = out_idx
    cdef double[::1] od = out_dist
    cdef int cx, cy, ring, i, j, k, p, max_ring
    cdef double best, d, dx, dy, px, py
    max_ring = nx if nx > ny else ny
    for q in range(m):
        px = qx[q]
        py = qy[q]
        cx = <int>floor((px - x0) / cell_m)
        cy = <int>floor((py - y0) / cell_m)
        cx = 0 if cx < 0 else (nx - 1 if cx >= nx else cx)  # far points start at the edge
        cy = 0 if cy < 0 else (ny - 1 if cy >= ny else cy)
        best = INFINITY
        for ring in range(max_ring + 1):
            # distance from the point to the nearest cell of this ring, as a lower bound
            if ring > 0 and best < INFINITY:
                dx = _ring_gap(px, x0, cell_m, cx, ring)
                dy = _ring_gap(py, y0, cell_m, cy, ring)
                d = dx if dx < dy else dy
                if d > 0 and d * d > best:
                    break
            for j in range(cy - ring, cy + ring + 1):
                if j < 0 or j >= ny:
                    continue
                for i in range(cx - ring, cx + ring + 1):
                    if i < 0 or i >= nx:
                        continue
                    if ring > 0 and cx - ring < i < cx + ring and cy - ring < j < cy + ring:
                        continue
                    for k in range(cell_first[j * nx + i], cell_first[j * nx + i + 1]):
                        p = cell_node[k]
                        dx = xs[p] - px
                        dy = ys[p] - py
                        d = dx * dx + dy * dy
                        if d < best or (d == best and p < oi[q]):
                            best = d
                            oi[q] = p
        od[q] = sqrt(best)
    return out_idx, out_dist


cdef inline double _ring_gap(double p, double origin, double cell_m, int c, int ring):
    """Distance from ``p`` to the inner edge of ring ``ring`` around cell ``c`` (one axis)."""
    cdef double lo = origin + (c - ring + 1) * cell_m
    cdef double hi = origin + (c + ring) * cell_m
    cdef double a = p - lo, b = hi - p
    return a if a < b else b


ctypedef fused index_t:
    int
    long long

ctypedef fused coord_t:
    int
    double


def path_points(const index_t[::1] offsets, const coord_t[:, ::1] points,
                const long long[::1] edges, double scale=1.0):
    """(lat, lon) tuples of consecutive edges, without repeating the shared end points.

    ``points`` are float64 degrees, or int32 multiples of ``1 / scale`` degree (decoded by
    one division, as osmium decodes its fixed-point locations).
    """
    cdef Py_ssize_t i, k, start
    out = []
    for i in range(edges.shape[0]):
        start = offsets[edges[i]] + (1 if i > 0 else 0)
        for k in range(start, offsets[edges[i] + 1]):
            if coord_t is int:
                out.append((points[k, 0] / scale, points[k, 1] / scale))
            else:
                out.append((points[k, 0], points[k, 1]))
    return out
