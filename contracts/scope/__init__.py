"""The scope check (DESIGN section 4): use compared to grant, default deny.

Pure domain: functions here read contracts data and return ``Finding`` values;
they never alert anyone. The notifications app turns findings into alerts.
"""
