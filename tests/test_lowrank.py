"""convbook.lowrank against numpy, scipy and networkx, and on hand-made cases."""

import networkx as nx
import numpy as np
import pytest
import scipy.linalg
import scipy.signal
import scipy.sparse

from convbook import box, gaussian_2d, laplacian, sobel
from convbook import lowrank as lr


def random_interactions(n_users=30, n_items=20, density=0.2, seed=0):
    rng = np.random.default_rng(seed)
    R = (rng.random((n_users, n_items)) < density).astype(float)
    R[np.arange(n_users), rng.integers(0, n_items, n_users)] = 1.0  # nobody without an interaction
    return R


# -- separable kernels ----------------------------------------------------------


@pytest.mark.parametrize("kernel", [gaussian_2d(5), gaussian_2d(7, 2.0), sobel("x"), sobel("y"), box(4)])
def test_rank_one_kernels_are_reproduced_by_one_term(kernel):
    columns, rows = lr.separable_terms(kernel, 1)
    assert columns.shape == (kernel.shape[0], 1) and rows.shape == (1, kernel.shape[1])
    np.testing.assert_allclose(columns @ rows, kernel, atol=1e-14)
    assert lr.separable_errors(kernel)[1] < 1e-12


def test_the_laplacian_has_rank_two():
    errors = lr.separable_errors(laplacian())
    assert errors[1] > 0.05 and errors[2] < 1e-12
    columns, rows = lr.separable_terms(laplacian(), 2)
    np.testing.assert_allclose(columns @ rows, laplacian(), atol=1e-14)


def test_truncation_is_the_eckart_young_optimum():
    rng = np.random.default_rng(1)
    k = rng.standard_normal((6, 5))
    u, s, vt = np.linalg.svd(k)
    errors = lr.separable_errors(k)
    assert errors[0] == 1 and np.all(np.diff(errors) <= 1e-15)
    for r in range(1, 6):
        columns, rows = lr.separable_terms(k, r)
        best = (u[:, :r] * s[:r]) @ vt[:r]
        np.testing.assert_allclose(columns @ rows, best, atol=1e-12)
        np.testing.assert_allclose(np.linalg.norm(k - best) / np.linalg.norm(k), errors[r], atol=1e-12)
        # no other rank-r matrix does better, e.g. a random one fitted by least squares on its columns
        other = rng.standard_normal((6, r))
        fit = other @ np.linalg.lstsq(other, k, rcond=None)[0]
        assert np.linalg.norm(k - fit) >= np.linalg.norm(k - best) - 1e-12


def test_term_signs_are_fixed():
    columns, _ = lr.separable_terms(-gaussian_2d(5), 1)
    assert columns[np.argmax(np.abs(columns[:, 0])), 0] > 0


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("rank", [1, 2, 3])
def test_separable_convolve_matches_scipy(mode, rank):
    rng = np.random.default_rng(2)
    image = rng.standard_normal((17, 12))
    kernel = rng.standard_normal((5, 3))
    columns, rows = lr.separable_terms(kernel, rank)
    expected = scipy.signal.convolve2d(image, columns @ rows, mode=mode)
    np.testing.assert_allclose(lr.separable_convolve(image, kernel, rank, mode), expected, atol=1e-12)
    if rank == 3:  # full rank: the kernel itself
        np.testing.assert_allclose(
            lr.separable_convolve(image, kernel, rank, mode),
            scipy.signal.convolve2d(image, kernel, mode),
            atol=1e-12,
        )


def test_multiplication_counts():
    assert lr.separable_multiplications(3) == (9, 6)
    assert lr.separable_multiplications((7, 5), 2) == (35, 24)


@pytest.mark.parametrize(
    "call, error, word",
    [
        (lambda: lr.separable_terms(np.ones(3), 1), ValueError, "kernel"),
        (lambda: lr.separable_terms(np.ones((3, 3)) * 1j, 1), TypeError, "kernel"),
        (lambda: lr.separable_terms(np.ones((3, 2)), 3), ValueError, "rank"),
        (lambda: lr.separable_terms(np.ones((3, 3)), 0), ValueError, "rank"),
        (lambda: lr.separable_terms(np.ones((3, 3)), 1.5), TypeError, "rank"),
        (lambda: lr.separable_errors(np.zeros((3, 3))), ValueError, "kernel"),
        (lambda: lr.separable_terms([[1, np.nan], [0, 1]], 1), ValueError, "kernel"),
        (lambda: lr.separable_convolve(np.ones(4), np.ones((3, 3)), 1), ValueError, "image"),
        (lambda: lr.separable_convolve(np.ones((4, 4)), np.ones((3, 3)), 1, "circular"), ValueError, "mode"),
        (lambda: lr.separable_convolve(np.ones((2, 4)), np.ones((3, 3)), 1, "valid"), ValueError, "image"),
        (lambda: lr.separable_multiplications((3, 3, 3)), ValueError, "kernel_shape"),
    ],
)
def test_separable_bad_input(call, error, word):
    with pytest.raises(error, match=word):
        call()


# -- data -------------------------------------------------------------------------


def test_southern_women_matches_networkx():
    R, women, events = lr.southern_women()
    graph = nx.davis_southern_women_graph()
    assert R.shape == (18, 14) and R.nnz == 89 == graph.number_of_edges()
    assert len(women) == 18 and len(events) == 14 and events[0] == "E1"
    dense = R.toarray()
    for i, w in enumerate(women):
        for j, e in enumerate(events):
            assert dense[i, j] == graph.has_edge(w, e)


def test_planted_low_rank_is_reproducible_and_respects_its_arguments():
    R = lr.planted_low_rank(300, 80, rank=3, density=0.1, seed=5)
    again = lr.planted_low_rank(300, 80, rank=3, density=0.1, seed=5)
    other = lr.planted_low_rank(300, 80, rank=3, density=0.1, seed=6)
    assert (R != again).nnz == 0 and (R != other).nnz > 0
    assert set(np.unique(R.data)) == {1.0}
    per_user = np.asarray(R.sum(axis=1)).ravel()
    assert per_user.min() >= 2
    assert abs(R.nnz / (300 * 80) - 0.1) < 0.02


def test_planted_structure_is_found_by_low_rank():
    """The leading singular values of a planted matrix stand out from those of a shuffled one."""
    R = lr.planted_low_rank(500, 100, rank=3, density=0.1, seed=0).toarray()
    rng = np.random.default_rng(0)
    shuffled = np.array([rng.permutation(row) for row in R])  # same counts per user, no structure
    s, s0 = np.linalg.svd(R, compute_uv=False), np.linalg.svd(shuffled, compute_uv=False)
    assert s[1] > 1.5 * s0[1] and s[2] > 1.5 * s0[2]


def test_split_interactions():
    R = lr.planted_low_rank(100, 40, rank=2, density=0.1, seed=1)
    R = scipy.sparse.csr_array(R.toarray() * np.arange(1, 41))  # weights survive the split
    R_single = R.toarray()
    R_single[0] = 0
    R_single[0, 3] = 2.0  # one user with a single interaction
    R_single[1] = 0  # and one with none
    train, test = lr.split_interactions(R_single, 0.25, seed=3)
    np.testing.assert_array_equal((train + test).toarray(), R_single)
    assert train.multiply(test).nnz == 0
    n = np.count_nonzero(R_single, axis=1)
    n_test = np.diff(test.indptr)
    n_train = np.diff(train.indptr)
    assert n_test[0] == 0 and n_train[0] == 1 and n_test[1] == n_train[1] == 0
    many = n >= 2
    assert np.all(n_test[many] >= 1) and np.all(n_train[many] >= 1)
    expected = np.minimum(n - 1, np.maximum(1, np.round(0.25 * n)))
    np.testing.assert_array_equal(n_test[many], expected[many])
    again = lr.split_interactions(R_single, 0.25, seed=3)[1]
    assert (again != test).nnz == 0
    assert (lr.split_interactions(R_single, 0.25, seed=4)[1] != test).nnz > 0


@pytest.mark.parametrize(
    "call, error, word",
    [
        (lambda: lr.planted_low_rank(10, 5, 6, 0.1), ValueError, "rank"),
        (lambda: lr.planted_low_rank(10, 5, 2, 0.0), ValueError, "density"),
        (lambda: lr.planted_low_rank(10, 5, 2, "a"), TypeError, "density"),
        (lambda: lr.planted_low_rank(0, 5, 1, 0.1), ValueError, "n_users"),
        (lambda: lr.planted_low_rank(10, 5, 2, 0.1, min_per_user=6), ValueError, "min_per_user"),
        (lambda: lr.split_interactions(np.ones((3, 3)), 1.0), ValueError, "test_fraction"),
        (lambda: lr.split_interactions(-np.ones((3, 3)), 0.2), ValueError, "R"),
        (lambda: lr.split_interactions(np.ones(3), 0.2), ValueError, "R"),
        (lambda: lr.normalized_interactions([["a"]]), TypeError, "R"),
        (lambda: lr.normalized_interactions(scipy.sparse.csr_array(np.ones((2, 2)) * 1j)), TypeError, "R"),
        (lambda: lr.normalized_interactions([[np.inf, 1]]), ValueError, "R"),
    ],
)
def test_data_bad_input(call, error, word):
    with pytest.raises(error, match=word):
        call()


# -- the bipartite graph ----------------------------------------------------------------


def test_normalized_interactions_and_adjacency_match_their_definitions():
    R = random_interactions()
    R[:, 5] = 0  # an item nobody has
    Rt = lr.normalized_interactions(R).toarray()
    d_u, d_i = R.sum(1), R.sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = R / np.sqrt(np.outer(d_u, d_i))
    expected[:, 5] = 0
    np.testing.assert_allclose(Rt, expected, atol=1e-15)
    A = np.block([[np.zeros((30, 30)), R], [R.T, np.zeros((20, 20))]])
    d = A.sum(1)
    scale = np.where(d > 0, 1 / np.sqrt(np.where(d > 0, d, 1)), 0)
    np.testing.assert_allclose(lr.bipartite_adjacency(R).toarray(), scale[:, None] * A * scale, atol=1e-15)


def test_the_spectrum_of_the_bipartite_adjacency_is_plus_minus_the_singular_values():
    R = random_interactions(25, 15)
    s = np.linalg.svd(lr.normalized_interactions(R).toarray(), compute_uv=False)
    eig = np.linalg.eigvalsh(lr.bipartite_adjacency(R).toarray())
    expected = np.sort(np.concatenate([s, -s, np.zeros(25 - 15)]))
    np.testing.assert_allclose(eig, expected, atol=1e-12)
    assert abs(s[0] - 1) < 1e-12  # the normalised matrix has norm 1


def test_lightgcn_matches_the_paper_propagation():
    """Propagate E_0 with the dense A_hat L times, average the layers, take inner products."""
    R = random_interactions(12, 9, seed=3)
    A = lr.bipartite_adjacency(R).toarray()
    E0 = np.random.default_rng(4).standard_normal((21, 5))
    layers = [E0]
    for _ in range(3):
        layers.append(A @ layers[-1])
    E = np.mean(layers, axis=0)
    np.testing.assert_allclose(lr.lightgcn_scores(R, 3, embeddings=E0), E[:12] @ E[12:].T, atol=1e-12)
    # one-hot embeddings: the closed form without A_hat, for default and chosen weights
    for L, weights in [(3, None), (2, [0.2, 0.5, 0.3]), (0, None), (4, [0, 0, 0, 0, 1.0])]:
        np.testing.assert_allclose(
            lr.lightgcn_scores(R, L, weights),
            lr.lightgcn_scores(R, L, weights, embeddings=np.eye(21)),
            atol=1e-12,
        )


def test_lightgcn_is_a_function_of_the_singular_values():
    R = random_interactions(20, 14, seed=5)
    u, s, vt = np.linalg.svd(lr.normalized_interactions(R).toarray(), full_matrices=False)
    for L in (1, 2, 3, 4):
        g = lr.lightgcn_response(s, L)
        np.testing.assert_allclose(lr.lightgcn_scores(R, L), (u * g) @ vt, atol=1e-12)
    sigma = np.linspace(0, 1, 101)
    assert np.all(np.diff(lr.lightgcn_response(sigma, 3)) > 0)  # low-pass: more gain to larger sigma
    np.testing.assert_allclose(lr.lightgcn_response(sigma, 1, [0.5, 0.5]), sigma / 2)  # 2 a0 a1 sigma


def test_svd_scores_are_the_ideal_low_pass_of_the_item_item_matrix():
    R = random_interactions(30, 20, seed=6)
    for r in (1, 4, 10):
        u, s, vt = np.linalg.svd(R)
        best = (u[:, :r] * s[:r]) @ vt[:r]
        np.testing.assert_allclose(lr.svd_scores(R, r), best, atol=1e-10)
        lam, V = np.linalg.eigh(R.T @ R)
        gain = np.zeros_like(lam)
        gain[np.argsort(lam)[::-1][:r]] = 1.0
        np.testing.assert_allclose(lr.svd_scores(R, r), R @ (V * gain) @ V.T, atol=1e-10)


def test_gfcf_matches_its_definition():
    R = random_interactions(30, 20, seed=7)
    R[:, 3] = 0
    Rt = lr.normalized_interactions(R).toarray()
    linear = R @ Rt.T @ Rt
    np.testing.assert_allclose(lr.gfcf_scores(R), linear, atol=1e-12)
    _, _, vt = np.linalg.svd(Rt)
    d_i = R.sum(0)
    inv = np.where(d_i > 0, 1 / np.sqrt(np.where(d_i > 0, d_i, 1)), 0)
    ideal = R @ np.diag(inv) @ vt[:5].T @ vt[:5] @ np.diag(np.sqrt(d_i))
    np.testing.assert_allclose(lr.gfcf_scores(R, 0.3, rank=5), linear + 0.3 * ideal, atol=1e-10)
    np.testing.assert_allclose(lr.gfcf_scores(R, 0.0, rank=5), linear, atol=1e-12)


def test_item_knn_against_a_loop():
    R = random_interactions(15, 8, seed=8)
    S = np.zeros((8, 8))
    for i in range(8):
        for j in range(8):
            if i != j:
                S[i, j] = R[:, i] @ R[:, j] / np.linalg.norm(R[:, i]) / np.linalg.norm(R[:, j])
    np.testing.assert_allclose(lr.item_knn_scores(R), R @ S, atol=1e-12)
    pruned = S.copy()
    for j in range(8):
        order = np.argsort(-S[:, j], kind="stable")
        pruned[order[3:], j] = 0
    np.testing.assert_allclose(lr.item_knn_scores(R, 3), R @ pruned, atol=1e-12)


def test_popularity():
    R = random_interactions()
    scores = lr.popularity_scores(R)
    np.testing.assert_array_equal(scores, np.tile((R != 0).sum(0), (30, 1)))


def test_graph_filters_are_equivariant_to_relabelling_items_and_the_fft_is_not():
    R = random_interactions(20, 16, seed=9)
    perm = np.random.default_rng(10).permutation(16)
    for scores in (
        lambda M: lr.lightgcn_scores(M, 3),
        lambda M: lr.gfcf_scores(M, 0.3, rank=4),
        lambda M: lr.svd_scores(M, 4),
        lr.item_knn_scores,
        lr.popularity_scores,
    ):
        np.testing.assert_allclose(scores(R[:, perm]), scores(R)[:, perm], atol=1e-10)
    # a circular convolution along the item axis, by FFT: relabelling changes the answer
    h = np.zeros(16)
    h[:3] = [0.5, 0.3, 0.2]

    def fft_filter(M):
        return np.real(np.fft.ifft(np.fft.fft(M, axis=1) * np.fft.fft(h), axis=1))

    assert np.abs(fft_filter(R[:, perm]) - fft_filter(R)[:, perm]).max() > 0.1
    # it is equivariant to the one relabelling it assumes: a cyclic shift of the IDs
    shift = np.roll(np.arange(16), 3)
    np.testing.assert_allclose(fft_filter(R[:, shift]), fft_filter(R)[:, shift], atol=1e-12)


@pytest.mark.parametrize(
    "call, error, word",
    [
        (lambda: lr.lightgcn_scores(np.ones((3, 2)), -1), ValueError, "layers"),
        (lambda: lr.lightgcn_scores(np.ones((3, 2)), 2, [0.5, 0.5]), ValueError, "weights"),
        (lambda: lr.lightgcn_scores(np.ones((3, 2)), 1, [0.5, np.nan]), ValueError, "weights"),
        (
            lambda: lr.lightgcn_scores(np.ones((3, 2)), 1, embeddings=np.ones((4, 2))),
            ValueError,
            "embeddings",
        ),
        (lambda: lr.lightgcn_response([1j], 1), TypeError, "sigma"),
        (lambda: lr.svd_scores(np.ones((3, 2)), 2), ValueError, "rank"),
        (lambda: lr.gfcf_scores(np.ones((4, 3)), -0.1, 1), ValueError, "alpha"),
        (lambda: lr.gfcf_scores(np.ones((4, 3)), 0.3, 3), ValueError, "rank"),
        (lambda: lr.item_knn_scores(np.ones((4, 3)), 3), ValueError, "neighbours"),
    ],
)
def test_filter_bad_input(call, error, word):
    with pytest.raises(error, match=word):
        call()


# -- metrics ------------------------------------------------------------------------------


def test_metrics_on_hand_made_cases():
    scores = np.array([[0.9, 0.8, 0.1, 0.5, 0.7], [0.1, 0.2, 0.3, 0.4, 0.5], [1.0, 1.0, 1.0, 1.0, 1.0]])
    train = np.array([[1, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 0, 0, 0]][:3])
    test = np.array([[0, 0, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 1, 0, 0]])
    # user 0 ranks 1, 4, 3, 2 (item 0 is training): test items 2, 3 at ranks 4 and 3
    # user 1 ranks 4, 3, 2, 1, 0: test item 4 at rank 1
    # user 2: all tied, ranked by index 0, 2, 3, 4 (item 1 is training): test item 2 at rank 2
    assert lr.recall_at_k(scores, train, test, 1) == pytest.approx((0 + 1 + 0) / 3)
    assert lr.recall_at_k(scores, train, test, 2) == pytest.approx((0 + 1 + 1) / 3)
    assert lr.recall_at_k(scores, train, test, 3) == pytest.approx((0.5 + 1 + 1) / 3)
    assert lr.recall_at_k(scores, train, test, 5) == pytest.approx(1.0)
    d = 1 / np.log2(np.arange(2, 7))
    ndcg3 = [d[2] / (d[0] + d[1]), 1.0, d[1]]
    ndcg5 = [(d[2] + d[3]) / (d[0] + d[1]), 1.0, d[1]]
    assert lr.ndcg_at_k(scores, train, test, 3) == pytest.approx(np.mean(ndcg3))
    assert lr.ndcg_at_k(scores, train, test, 5) == pytest.approx(np.mean(ndcg5))


def test_users_without_test_items_are_left_out():
    scores = np.array([[0.9, 0.1], [0.1, 0.9]])
    test = np.array([[1, 0], [0, 0]])
    assert lr.recall_at_k(scores, np.zeros((2, 2)), test, 1) == 1.0
    assert lr.ndcg_at_k(scores, np.zeros((2, 2)), test, 1) == 1.0


def test_metrics_against_a_plain_loop():
    rng = np.random.default_rng(11)
    R = random_interactions(40, 25, 0.3, seed=12)
    train, test = lr.split_interactions(R, 0.3, seed=0)
    scores = rng.standard_normal(R.shape)
    tr, te = train.toarray(), test.toarray()
    for k in (1, 5, 10):
        recalls, ndcgs = [], []
        for u in range(40):
            if te[u].sum() == 0:
                continue
            candidates = [i for i in sorted(range(25), key=lambda i: -scores[u, i]) if tr[u, i] == 0][:k]
            relevant = set(np.flatnonzero(te[u]))
            recalls.append(len(relevant & set(candidates)) / len(relevant))
            dcg = sum(1 / np.log2(j + 2) for j, i in enumerate(candidates) if i in relevant)
            idcg = sum(1 / np.log2(j + 2) for j in range(min(k, len(relevant))))
            ndcgs.append(dcg / idcg)
        assert lr.recall_at_k(scores, train, test, k) == pytest.approx(np.mean(recalls))
        assert lr.ndcg_at_k(scores, train, test, k) == pytest.approx(np.mean(ndcgs))


def test_a_perfect_ranking_scores_one_and_popularity_beats_chance_on_planted_data():
    R = lr.planted_low_rank(400, 60, rank=3, density=0.1, seed=2)
    train, test = lr.split_interactions(R, 0.2, seed=0)
    assert lr.ndcg_at_k(test.toarray(), train, test, 10) == pytest.approx(1.0)
    random_scores = np.random.default_rng(0).random(R.shape)
    assert lr.recall_at_k(lr.popularity_scores(train), train, test, 10) > lr.recall_at_k(
        random_scores, train, test, 10
    )
    assert lr.recall_at_k(lr.svd_scores(train, 3), train, test, 10) > lr.recall_at_k(
        lr.popularity_scores(train), train, test, 10
    )


@pytest.mark.parametrize(
    "call, error, word",
    [
        (lambda: lr.recall_at_k(np.ones((2, 2)), np.eye(2), np.eye(2), 1), ValueError, "disjoint"),
        (lambda: lr.recall_at_k(np.ones((2, 2)), np.zeros((2, 2)), np.zeros((2, 2)), 1), ValueError, "test"),
        (lambda: lr.recall_at_k(np.ones((2, 2)), np.zeros((2, 3)), np.eye(2), 1), ValueError, "train"),
        (lambda: lr.ndcg_at_k(np.ones((2, 2)), np.zeros((2, 2)), np.eye(2), 3), ValueError, "k"),
        (lambda: lr.ndcg_at_k(np.full((2, 2), np.nan), np.zeros((2, 2)), np.eye(2), 1), ValueError, "scores"),
        (lambda: lr.ndcg_at_k(np.ones(2), np.zeros((2, 2)), np.eye(2), 1), ValueError, "scores"),
    ],
)
def test_metric_bad_input(call, error, word):
    with pytest.raises(error, match=word):
        call()
