var renderer = new DashRenderer();
