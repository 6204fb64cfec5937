{#
  Fails for every published count from var('suppress_min') to var('suppress_max'): a last line of defence after
  the suppression itself, so that no change to the model can publish a small number.
#}
{% test no_small_counts(model) %}
    select measure_ref, period_start, value
    from {{ model }}
    where unit = 'count' and value between {{ var('suppress_min') }} and {{ var('suppress_max') }}
{% endtest %}
