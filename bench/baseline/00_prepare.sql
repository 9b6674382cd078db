drop schema if exists "bench_baseline__staging" cascade;
create schema "bench_baseline__staging";
create schema if not exists "reckon";
