{# The financial year (April to March) a date falls in, as the year it starts: 2019-05-01 -> 2019. #}
{% macro financial_year(date_expr) -%}
    (case when extract(month from {{ date_expr }}) >= 4
        then extract(year from {{ date_expr }})::int
        else extract(year from {{ date_expr }})::int - 1 end)
{%- endmacro %}

{# "2019-20" for the financial year starting in 2019. #}
{% macro financial_year_label(year_expr) -%}
    ({{ year_expr }}::text || '-' || lpad((({{ year_expr }} + 1) % 100)::text, 2, '0'))
{%- endmacro %}

{# How a period is printed on the scorecard: "2018-19 Q1" for a financial quarter. #}
{% macro period_label(period_type, period_start, period_end) -%}
    (case {{ period_type }}
        when 'quarter' then {{ financial_year_label(financial_year(period_start)) }}
            || ' Q' || (((extract(month from {{ period_start }})::int + 8) / 3) % 4 + 1)::text
        when 'financial_year' then {{ financial_year_label(financial_year(period_start)) }}
        when 'month' then to_char({{ period_start }}, 'Mon YYYY')
        else to_char({{ period_start }}, 'DD Mon YYYY') || ' to ' || to_char({{ period_end }}, 'DD Mon YYYY')
    end)
{%- endmacro %}
