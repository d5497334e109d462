"""C&W, ZOO, AutoZOOM and the attack metrics keep robustkit's contracts."""

from robustkit.testing import contract_tests

_FAST = {"binary_search_steps": 2, "max_iterations": 20}
test_cw_l2 = contract_tests("perturbation", "cw-l2", params=_FAST)
# their strength is a query budget: try 400 queries, not the 10 million upper bound
test_zoo = contract_tests("perturbation", "zoo", params={"max_queries": 200}, strongest=400)
test_autozoom = contract_tests("perturbation", "autozoom", params={"max_queries": 200},
                               strongest=400)
test_success_rate = contract_tests("metric", "attack-success-rate")
test_l2 = contract_tests("metric", "l2-distortion")
test_linf = contract_tests("metric", "linf-distortion")
# queries-per-success is defined only for evaluations that report queries (score-based
# attacks); the generic metric-values contract scores plain evaluations, so it is covered by
# test_metrics.py instead.
