# The fraud-detection example as a job image, the way you package your own job:
# Weir's runtime image plus the job module in /opt/weir/job. Build from the repository root
# after the runtime image:
#   docker build -f examples/fraud-detection.Dockerfile -t weir-fraud-detection:0.1.0 .
FROM weir-runtime:0.1.0
COPY examples/fraud-detection.ts /opt/weir/job/
