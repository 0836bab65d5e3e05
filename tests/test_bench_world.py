"""bench engine --world-size: the scaling arithmetic (the measurement itself is a benchmark, not a test)."""

from workbench.commands.bench_engine import add_speedup_over_higher
from workbench.commands.bench_world import measure_world_sizes


def test_scaling_efficiency_is_tasks_per_second_over_n_times_one_process():
    speeds = {1: 40.0, 2: 60.0, 4: 80.0}
    jobs = []

    def fake_worker(job):
        jobs.append(job)
        return {"setting": job["setting"], "impl": job["impl"], "tasks_per_s": speeds[job["world_size"]]}

    results = measure_world_sizes(["s"], ["workbench-auto"], [1, 2, 4], "cpu", 3, fake_worker)
    assert [j["world_size"] for j in jobs] == [1, 2, 4]
    assert [r["scaling_efficiency"] for r in results] == [1.0, 0.75, 0.5]


def test_a_failed_world_size_is_reported_without_an_efficiency():
    results = measure_world_sizes(["s"], ["workbench-auto"], [1, 2], "cpu", 3,
                                  lambda job: {"error": "boom"} if job["world_size"] == 2 else {"tasks_per_s": 10.0})
    assert results[1]["error"] == "boom" and "scaling_efficiency" not in results[1]


def test_speedup_over_higher_is_within_one_setting():
    results = [{"setting": "a", "impl": "higher", "tasks_per_s": 100.0},
               {"setting": "a", "impl": "workbench-vmap", "tasks_per_s": 1500.0},
               {"setting": "b", "impl": "workbench-vmap", "tasks_per_s": 10.0}]
    add_speedup_over_higher(results)
    assert results[1]["x_higher"] == 15.0 and "x_higher" not in results[2]
